package org.moescope.app.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.moescope.engine.profile.StageCounters;

/**
 * Prints the seed's per-path counters as a text table: per (path, block, stage) total, mean, calls, share. The stage
 * column fits the longest stage name the engine has (quantize_q8_down).
 */
final class StageTableFormatter {
    private StageTableFormatter() {
    }

    static void print(StageCounters counters, PrintStream out) {
        double total = counters.totalMicros();
        out.printf(Locale.ROOT, "%-15s %-10s %-16s %12s %11s %8s %7s%n", "path", "block", "stage", "total ms",
                "mean µs", "calls", "share");
        for (Map.Entry<StageCounters.Key, StageCounters.Totals> e : counters.totals().entrySet()) {
            StageCounters.Key k = e.getKey();
            StageCounters.Totals t = e.getValue();
            out.printf(Locale.ROOT, "%-15s %-10s %-16s %12.3f %11.1f %8d %6.1f%%%n", k.phase().label(), k.block(),
                    k.stage(), t.micros() / 1000.0, t.meanMicros(), t.calls(), total == 0 ? 0 : 100 * t.micros() / total);
        }
        out.printf(Locale.ROOT, "%-43s %12.3f%n", "total (device time of timed stages)", total / 1000.0);
    }
}
