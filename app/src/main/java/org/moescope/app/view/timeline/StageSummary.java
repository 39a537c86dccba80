package org.moescope.app.view.timeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageCounters;
import org.moescope.engine.profile.StageSpan;

/**
 * The stage table's data: the seed's per-path counters ({@link StageCounters}: per phase, block and stage) with
 * each row's share of the total device time and the weight bytes its spans read (in the weights' stored types, when
 * known), plus the totals the caption shows. Immutable.
 */
public record StageSummary(List<Row> rows, double totalMicros, long spans, int firstStep, int lastStep) {

    /**
     * One table row; {@code share} is in [0, 1] of the summary's total device time; {@code weightBytes} is the sum
     * over its spans, -1 when not known for every one of them.
     */
    public record Row(Phase phase, String block, String stage, double totalMicros, double meanMicros, long calls,
                      double share, long weightBytes) {

        /** Weight bytes per call, NaN when not known. */
        public double meanWeightBytes() {
            return weightBytes < 0 || calls == 0 ? Double.NaN : (double) weightBytes / calls;
        }

        /** Weight bytes read per second of the row's device time, in GB/s; NaN when not known or none. */
        public double gbps() {
            return weightBytes <= 0 || totalMicros <= 0 ? Double.NaN : weightBytes / (totalMicros * 1e3);
        }
    }

    public StageSummary {
        rows = List.copyOf(rows);
    }

    /** The summary without weight bytes. */
    public static StageSummary of(Collection<StageSpan> spans) {
        return of(spans, s -> -1);
    }

    /** @param weightBytes the weight bytes a span read, -1 when not known */
    public static StageSummary of(Collection<StageSpan> spans, ToLongFunction<StageSpan> weightBytes) {
        StageCounters counters = StageCounters.of(spans);
        Map<StageCounters.Key, Long> bytes = new java.util.HashMap<>();
        for (StageSpan s : spans) {
            long b = weightBytes.applyAsLong(s);
            bytes.merge(new StageCounters.Key(s.phase(), s.block(), s.stage()), b,
                    (x, y) -> x < 0 || y < 0 ? -1 : x + y);
        }
        double total = counters.totalMicros();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<StageCounters.Key, StageCounters.Totals> e : counters.totals().entrySet()) {
            StageCounters.Totals t = e.getValue();
            rows.add(new Row(e.getKey().phase(), e.getKey().block(), e.getKey().stage(), t.micros(), t.meanMicros(),
                    t.calls(), total > 0 ? t.micros() / total : 0, bytes.getOrDefault(e.getKey(), -1L)));
        }
        int first = spans.stream().mapToInt(StageSpan::step).min().orElse(-1);
        int last = spans.stream().mapToInt(StageSpan::step).max().orElse(-1);
        return new StageSummary(rows, total, spans.size(), first, last);
    }

    /** "42 spans, steps 3–17, 12.345 ms device time". */
    public String caption() {
        if (spans == 0) {
            return "no spans (turn profiling on and run a step)";
        }
        String steps = firstStep == lastStep ? "step " + firstStep : "steps " + firstStep + "\u2013" + lastStep;
        return spans + " spans, " + steps + ", " + formatMicros(totalMicros) + " device time";
    }

    /** Human time from µs: "850 ns", "12.3 µs", "4.56 ms", "1.23 s". */
    public static String formatMicros(double micros) {
        double a = Math.abs(micros);
        if (a < 1) {
            return String.format(java.util.Locale.ROOT, "%.0f ns", micros * 1000);
        } else if (a < 1000) {
            return String.format(java.util.Locale.ROOT, "%.1f \u00b5s", micros);
        } else if (a < 1_000_000) {
            return String.format(java.util.Locale.ROOT, "%.2f ms", micros / 1000);
        }
        return String.format(java.util.Locale.ROOT, "%.2f s", micros / 1_000_000);
    }
}
