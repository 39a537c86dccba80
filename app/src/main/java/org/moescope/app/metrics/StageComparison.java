package org.moescope.app.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.moescope.engine.profile.StageCounters;
import org.moescope.engine.profile.StageSpan;

/**
 * Per-stage device time of two runs of the same prompt (A and B), for the A/B compare table.
 * A stage only one side ran (e.g. "gate_up_silu" when only B fuses) has NaN on the other side.
 */
public record StageComparison(List<Row> rows, double totalMicrosA, double totalMicrosB) {

    /** One (phase, block, stage) with its total time on each side in µs and calls. */
    public record Row(StageCounters.Key key, double microsA, long callsA, double microsB, long callsB) {
        /** (B − A) / A in percent; NaN when a side did not run the stage or A is 0. */
        public double deltaPercent() {
            return Double.isNaN(microsA) || Double.isNaN(microsB) || microsA == 0 ? Double.NaN : (microsB - microsA) / microsA * 100;
        }

        /** "prefill · moe · gate" */
        public String label() {
            return key.phase().label() + " · " + key.block() + " · " + key.stage();
        }
    }

    public StageComparison {
        rows = List.copyOf(rows);
    }

    public static StageComparison of(Collection<StageSpan> spansA, Collection<StageSpan> spansB) {
        StageCounters a = StageCounters.of(spansA);
        StageCounters b = StageCounters.of(spansB);
        Set<StageCounters.Key> keys = new TreeSet<>(a.totals().keySet());
        keys.addAll(b.totals().keySet());
        List<Row> rows = new ArrayList<>();
        for (StageCounters.Key key : keys) {
            StageCounters.Totals ta = a.totals().get(key);
            StageCounters.Totals tb = b.totals().get(key);
            rows.add(new Row(key, ta == null ? Double.NaN : ta.micros(), ta == null ? 0 : ta.calls(),
                    tb == null ? Double.NaN : tb.micros(), tb == null ? 0 : tb.calls()));
        }
        return new StageComparison(rows, a.totalMicros(), b.totalMicros());
    }

    /** (B − A) / A of the total device time in percent (NaN when A is 0). */
    public double totalDeltaPercent() {
        return totalMicrosA == 0 ? Double.NaN : (totalMicrosB - totalMicrosA) / totalMicrosA * 100;
    }
}
