package org.moescope.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.StepResult;

class RunMetricsTest {
    private static final MoeOptions O = MoeOptions.DEFAULT.withProfiling(true);

    private static StageSpan span(String block, long micros) {
        return new StageSpan(0, Phase.DECODE, 0, block, "x", 1, O, 0, micros * 1000);
    }

    private static StepResult step(int n, Phase phase, int batch, long wallMillis, List<StageSpan> spans, StepRouting routing) {
        return new StepResult(n, phase, batch, new int[batch], new String[batch], O, spans, routing, wallMillis * 1_000_000, false);
    }

    @Test
    void emptyRunHasNoFigures() {
        RunMetrics m = RunMetrics.of(List.of());
        assertEquals(0, m.tokensPerSecond());
        assertTrue(Double.isNaN(m.prefillMillis()));
        assertTrue(Double.isNaN(m.moeShare()));
        assertTrue(Double.isNaN(m.loadImbalance()));
        assertTrue(m.decodeLatencyMillis().isEmpty());
    }

    @Test
    void throughputLatencyAndMoeShare() {
        List<StepResult> steps = List.of(
                step(0, Phase.PREFILL, 2, 500, List.of(span("moe", 300), span("attention", 100)), null),
                step(1, Phase.BATCHED_DECODE, 2, 20, List.of(span("moe", 30), span("attention", 10)), null),
                step(2, Phase.BATCHED_DECODE, 2, 30, List.of(span("moe", 30), span("model", 30)), null));
        RunMetrics m = RunMetrics.of(steps);
        assertEquals(500, m.prefillMillis(), 1e-9);
        assertEquals(List.of(20.0, 30.0), m.decodeLatencyMillis());
        // 4 tokens (2 sequences × 2 steps) in 50 ms; the prefill does not count
        assertEquals(80, m.tokensPerSecond(), 1e-9);
        assertEquals(360.0 / 500, m.moeShare(), 1e-12);
    }

    @Test
    void loadImbalanceIsMaxOverMeanPerLayerAveraged() {
        // layer 0: 4 experts, k = 1, tokens to experts 0,0,0,1 -> counts 3,1,0,0, mean 1, max 3
        LayerRouting l0 = new LayerRouting(0, 4, 1, 4, new int[] {0, 0, 0, 1}, new float[] {1, 1, 1, 1}, null);
        // layer 1: perfectly balanced -> 1
        LayerRouting l1 = new LayerRouting(1, 4, 1, 4, new int[] {0, 1, 2, 3}, new float[] {1, 1, 1, 1}, null);
        StepRouting routing = new StepRouting(0, Phase.PREFILL, new int[4], new int[4], new int[4], List.of(l0, l1));
        RunMetrics m = RunMetrics.of(List.of(step(0, Phase.PREFILL, 4, 1, List.of(), routing)));
        assertEquals((3 + 1) / 2.0, m.loadImbalance(), 1e-12);
    }

    @Test
    void loadCountsAddUpOverSteps() {
        LayerRouting first = new LayerRouting(0, 1, 1, 2, new int[] {0}, new float[] {1}, null);
        LayerRouting second = new LayerRouting(0, 1, 1, 2, new int[] {1}, new float[] {1}, null);
        RunMetrics m = RunMetrics.of(List.of(
                step(0, Phase.PREFILL, 1, 1, List.of(), new StepRouting(0, Phase.PREFILL, new int[1], new int[1], new int[1], List.of(first))),
                step(1, Phase.DECODE, 1, 1, List.of(), new StepRouting(1, Phase.DECODE, new int[1], new int[1], new int[1], List.of(second)))));
        assertEquals(1.0, m.loadImbalance(), 1e-12, "one token on each expert over the run is balanced");
    }

    @Test
    void theLatencyHistoryKeepsTheStepNumbersOfItsLastSteps() {
        RunMetrics.Accumulator acc = new RunMetrics.Accumulator(3);
        acc.add(step(0, Phase.PREFILL, 1, 100, List.of(), null));
        for (int n = 1; n <= 7; n++) {
            acc.add(step(n, Phase.DECODE, 1, 10 * n, List.of(), null));
        }
        RunMetrics m = acc.metrics();
        assertEquals(List.of(50.0, 60.0, 70.0), m.decodeLatencyMillis());
        assertEquals(List.of(5, 6, 7), m.decodeLatencySteps(), "numbered by step, not by place in the history");
    }
}
