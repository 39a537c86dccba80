package org.moescope.app.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.profile.StageCounters;
import org.moescope.engine.profile.StageSpan;

/**
 * Per-stage device time of two settings (A and B) run on the same prompt, for the A/B compare table. Each side
 * may be run several times: a stage's time is then the median over runs of its total in one run, which keeps a
 * single disturbed run (another process, a GC pause) out of the figure. A stage only one side ran (e.g.
 * "gate_up_silu" when only A fuses) has NaN on the other side, except an expert stage and its Q8-activation twin
 * (gate_up_silu on A, gate_up_silu_q8 on B): they share one row, "gate_up_silu → gate_up_silu_q8", since they do the
 * same work.
 */
public record StageComparison(List<Row> rows, double totalMicrosA, double totalMicrosB, int runsA, int runsB) {

    /** One (phase, block, stage): its median total per run in µs and its calls per run, on each side. */
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

    /** One run per side. */
    public static StageComparison of(Collection<StageSpan> spansA, Collection<StageSpan> spansB) {
        return ofRuns(List.of(spansA), List.of(spansB));
    }

    /** Several runs per side (each the spans of one whole run); medians per stage. */
    public static StageComparison ofRuns(List<? extends Collection<StageSpan>> runsA, List<? extends Collection<StageSpan>> runsB) {
        if (runsA.isEmpty() || runsB.isEmpty()) {
            throw new IllegalArgumentException("each side needs at least one run, got " + runsA.size() + " and " + runsB.size());
        }
        Side a = new Side(runsA);
        Side b = new Side(runsB);
        Set<StageCounters.Key> keys = new TreeSet<>(a.micros.keySet());
        keys.addAll(b.micros.keySet());
        List<Row> rows = new ArrayList<>();
        Set<StageCounters.Key> paired = new java.util.HashSet<>();
        for (StageCounters.Key key : keys) {
            if (paired.contains(key)) {
                continue;
            }
            StageCounters.Key twin = q8Twin(key);
            boolean onlyA = a.micros.containsKey(key) && !b.micros.containsKey(key);
            boolean onlyB = b.micros.containsKey(key) && !a.micros.containsKey(key);
            if (twin != null && (onlyA && b.micros.containsKey(twin) && !a.micros.containsKey(twin)
                    || onlyB && a.micros.containsKey(twin) && !b.micros.containsKey(twin))) {
                StageCounters.Key keyA = onlyA ? key : twin;
                StageCounters.Key keyB = onlyA ? twin : key;
                paired.add(twin);
                StageCounters.Key shown = new StageCounters.Key(key.phase(), key.block(),
                        keyA.stage() + " \u2192 " + keyB.stage());
                rows.add(new Row(shown, a.median(keyA), a.calls.getOrDefault(keyA, 0L), b.median(keyB),
                        b.calls.getOrDefault(keyB, 0L)));
                continue;
            }
            rows.add(new Row(key, a.median(key), a.calls.getOrDefault(key, 0L), b.median(key), b.calls.getOrDefault(key, 0L)));
        }
        return new StageComparison(rows, a.medianTotal(), b.medianTotal(), runsA.size(), runsB.size());
    }

    /** The other name of an expert stage with and without Q8 activations (gate ↔ gate_q8), or null. */
    private static StageCounters.Key q8Twin(StageCounters.Key key) {
        String stage = key.stage();
        String suffix = MoeBlock.Q8_SUFFIX;
        String base = stage.endsWith(suffix) ? stage.substring(0, stage.length() - suffix.length()) : stage;
        if (!List.of("gate", "up", "down", "gate_up_silu").contains(base)) {
            return null;
        }
        return new StageCounters.Key(key.phase(), key.block(), base.equals(stage) ? stage + suffix : base);
    }

    /** (B − A) / A of the total device time in percent (NaN when A is 0). */
    public double totalDeltaPercent() {
        return totalMicrosA == 0 ? Double.NaN : (totalMicrosB - totalMicrosA) / totalMicrosA * 100;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The runs of one side: per stage, its total in each run. */
    private static final class Side {
        final Map<StageCounters.Key, double[]> micros = new HashMap<>();
        final Map<StageCounters.Key, Long> calls = new HashMap<>();
        final double[] totals;

        Side(List<? extends Collection<StageSpan>> runs) {
            totals = new double[runs.size()];
            for (int r = 0; r < runs.size(); r++) {
                StageCounters counters = StageCounters.of(runs.get(r));
                totals[r] = counters.totalMicros();
                for (var e : counters.totals().entrySet()) {
                    // a stage missing from a run counts as 0 µs in it
                    micros.computeIfAbsent(e.getKey(), k -> new double[runs.size()])[r] = e.getValue().micros();
                    calls.putIfAbsent(e.getKey(), e.getValue().calls());
                }
            }
        }

        double median(StageCounters.Key key) {
            double[] v = micros.get(key);
            return v == null ? Double.NaN : StageComparison.median(v);
        }

        double medianTotal() {
            return StageComparison.median(totals);
        }
    }
}
