package org.moescope.app.metrics;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;

/**
 * The dashboard's figures for one run (a prefill and its decode steps). Pure, so it is tested without JavaFX.
 *
 * @param tokensPerSecond   decode throughput: new tokens of every sequence over decode wall time (0 before the first decode step)
 * @param prefillMillis     wall time of the prefill step (NaN when the run has none)
 * @param decodeLatencyMillis per decode step, its wall time in ms, in step order (in a long run the last ones only:
 *                          see {@link Accumulator})
 * @param decodeLatencySteps the step number ({@link StepResult#step()}) of each of those latencies, so that a view
 *                          labels them by step after older steps were dropped
 * @param moeShare          device time in "moe" blocks over all profiled device time, in [0, 1] (NaN without spans)
 * @param loadImbalance     max/mean tokens per expert, averaged over the MoE layers, over every routed token
 *                          of the run (1 = perfectly balanced; NaN without routing)
 */
public record RunMetrics(double tokensPerSecond, double prefillMillis, List<Double> decodeLatencyMillis,
                         List<Integer> decodeLatencySteps, double moeShare, double loadImbalance) {

    public RunMetrics {
        decodeLatencyMillis = List.copyOf(decodeLatencyMillis);
        decodeLatencySteps = List.copyOf(decodeLatencySteps);
        if (decodeLatencySteps.size() != decodeLatencyMillis.size()) {
            throw new IllegalArgumentException("decodeLatencySteps: " + decodeLatencySteps.size()
                    + " step numbers for " + decodeLatencyMillis.size() + " latencies");
        }
    }

    public static final RunMetrics EMPTY = of(List.of());

    public static RunMetrics of(List<StepResult> steps) {
        Accumulator all = new Accumulator(Integer.MAX_VALUE);
        steps.forEach(all::add);
        return all.metrics();
    }

    /**
     * The figures of a run built step by step, so that a long run costs O(1) per step and keeps no step: every
     * figure counts every step added, except the latency history, which keeps the last {@code latencyWindow}
     * decode steps.
     */
    public static final class Accumulator {
        private final int latencyWindow;
        private double prefillMillis = Double.NaN;
        private long decodeNanos;
        private long decodeTokens;
        private final java.util.ArrayDeque<Double> latencies = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<Integer> latencySteps = new java.util.ArrayDeque<>();
        private long moeNanos;
        private long allNanos;
        private final LoadCounts load = new LoadCounts();

        public Accumulator(int latencyWindow) {
            if (latencyWindow < 1) {
                throw new IllegalArgumentException("latencyWindow must be >= 1, got " + latencyWindow);
            }
            this.latencyWindow = latencyWindow;
        }

        public void add(StepResult step) {
            if (step.phase() == Phase.PREFILL) {
                prefillMillis = step.wallNanos() / 1e6;
            } else {
                decodeNanos += step.wallNanos();
                decodeTokens += step.newTokens().length;
                if (latencies.size() == latencyWindow) {
                    latencies.removeFirst();
                    latencySteps.removeFirst();
                }
                latencies.addLast(step.wallNanos() / 1e6);
                latencySteps.addLast(step.step());
            }
            for (StageSpan span : step.spans()) {
                allNanos += span.durationNanos();
                if ("moe".equals(span.block())) {
                    moeNanos += span.durationNanos();
                }
            }
            if (step.routing() != null) {
                step.routing().layers().forEach(load::add);
            }
        }

        public RunMetrics metrics() {
            double tokensPerSecond = decodeNanos == 0 ? 0 : decodeTokens / (decodeNanos / 1e9);
            double moeShare = allNanos == 0 ? Double.NaN : (double) moeNanos / allNanos;
            return new RunMetrics(tokensPerSecond, prefillMillis, new ArrayList<>(latencies),
                    new ArrayList<>(latencySteps), moeShare,
                    load.meanMaxOverMean());
        }
    }

    /** Tokens routed to each expert, per layer, summed over steps. */
    private static final class LoadCounts {
        private final java.util.Map<Integer, long[]> perLayer = new java.util.TreeMap<>();

        void add(LayerRouting routing) {
            long[] counts = perLayer.computeIfAbsent(routing.layer(), l -> new long[routing.experts()]);
            for (int i = 0; i < routing.tokens() * routing.k(); i++) {
                counts[routing.ids()[i]]++;
            }
        }

        double meanMaxOverMean() {
            double sum = 0;
            int layers = 0;
            for (long[] counts : perLayer.values()) {
                long total = 0;
                long max = 0;
                for (long c : counts) {
                    total += c;
                    max = Math.max(max, c);
                }
                if (total > 0) {
                    sum += max / ((double) total / counts.length);
                    layers++;
                }
            }
            return layers == 0 ? Double.NaN : sum / layers;
        }
    }
}
