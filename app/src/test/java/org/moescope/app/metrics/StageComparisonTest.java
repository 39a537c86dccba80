package org.moescope.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageCounters;
import org.moescope.engine.profile.StageSpan;

class StageComparisonTest {
    private static StageSpan span(Phase phase, int layer, String block, String stage, long micros, MoeOptions o) {
        return new StageSpan(0, phase, layer, block, stage, 1, o, 1_000, 1_000 + micros * 1_000);
    }

    @Test
    void sumsEachStageOverLayersAndGivesTheDifferenceOfBFromA() {
        MoeOptions a = MoeOptions.DEFAULT.withProfiling(true);
        MoeOptions b = a.withFusedGateUpSilu(false);
        List<StageSpan> spansA = List.of(
                span(Phase.DECODE, 0, "moe", "down", 10, a), span(Phase.DECODE, 1, "moe", "down", 30, a),
                span(Phase.DECODE, 0, "moe", "gate_up_silu", 50, a));
        List<StageSpan> spansB = List.of(
                span(Phase.DECODE, 0, "moe", "down", 20, b), span(Phase.DECODE, 1, "moe", "down", 30, b),
                span(Phase.DECODE, 0, "moe", "gate", 25, b), span(Phase.DECODE, 0, "moe", "up", 25, b),
                span(Phase.DECODE, 0, "moe", "silu", 5, b));

        StageComparison c = StageComparison.of(spansA, spansB);

        StageComparison.Row down = row(c, "down");
        assertEquals(40, down.microsA(), 1e-9);
        assertEquals(50, down.microsB(), 1e-9);
        assertEquals(2, down.callsA());
        assertEquals(25.0, down.deltaPercent(), 1e-9);
        StageComparison.Row fused = row(c, "gate_up_silu");
        assertEquals(50, fused.microsA(), 1e-9);
        assertTrue(Double.isNaN(fused.microsB()), "B never ran the fused kernel");
        assertTrue(Double.isNaN(fused.deltaPercent()));
        assertTrue(Double.isNaN(row(c, "silu").microsA()));
        assertEquals(5, c.rows().size());
        assertEquals(90, c.totalMicrosA(), 1e-9);
        assertEquals(105, c.totalMicrosB(), 1e-9);
        assertEquals(100.0 * 15 / 90, c.totalDeltaPercent(), 1e-9);
        assertEquals("decode · moe · down", down.label());
    }

    private static StageComparison.Row row(StageComparison c, String stage) {
        return c.rows().stream().filter(r -> r.key().stage().equals(stage)).findFirst().orElseThrow();
    }

    @Test
    void expertStagesAndTheirQ8TwinsShareARow() {
        MoeOptions a = MoeOptions.DEFAULT.withProfiling(true);
        MoeOptions b = a.withQ8Activations(true);
        List<StageSpan> spansA = List.of(span(Phase.DECODE, 0, "moe", "gate_up_silu", 40, a),
                span(Phase.DECODE, 0, "moe", "down", 20, a), span(Phase.DECODE, 1, "moe", "down", 20, a));
        List<StageSpan> spansB = List.of(span(Phase.DECODE, 0, "moe", "quantize_q8", 2, b),
                span(Phase.DECODE, 0, "moe", "gate_up_silu_q8", 30, b), span(Phase.DECODE, 0, "moe", "quantize_q8_down", 1, b),
                span(Phase.DECODE, 0, "moe", "down_q8", 10, b), span(Phase.DECODE, 1, "moe", "down_q8", 20, b));

        StageComparison c = StageComparison.of(spansA, spansB);

        StageComparison.Row fused = row(c, "gate_up_silu \u2192 gate_up_silu_q8");
        assertEquals(40, fused.microsA(), 1e-9);
        assertEquals(30, fused.microsB(), 1e-9);
        assertEquals(-25.0, fused.deltaPercent(), 1e-9);
        StageComparison.Row down = row(c, "down \u2192 down_q8");
        assertEquals(2, down.callsA());
        assertEquals(2, down.callsB());
        assertEquals(-25.0, down.deltaPercent(), 1e-9);
        assertTrue(Double.isNaN(row(c, "quantize_q8").microsA()), "only B quantizes");
        assertEquals(4, c.rows().size(), "two paired rows and the two quantize stages");

        // the other way round (B float, A Q8) pairs as well; a side that runs both keeps them apart
        assertEquals(1, StageComparison.of(spansB, spansA).rows().stream()
                .filter(r -> r.key().stage().equals("down_q8 \u2192 down")).count());
        List<StageSpan> both = List.of(span(Phase.DECODE, 0, "moe", "down", 5, a), span(Phase.DECODE, 1, "moe", "down_q8", 5, b));
        StageComparison mixed = StageComparison.of(both, List.of(span(Phase.DECODE, 0, "moe", "down_q8", 5, b)));
        assertEquals(2, mixed.rows().size());
    }

    @Test
    void keepsPhasesApart() {
        MoeOptions o = MoeOptions.DEFAULT.withProfiling(true);
        StageComparison c = StageComparison.of(List.of(span(Phase.PREFILL, 0, "moe", "down", 7, o)),
                List.of(span(Phase.DECODE, 0, "moe", "down", 3, o)));
        assertEquals(2, c.rows().size());
        assertEquals(new StageCounters.Key(Phase.PREFILL, "moe", "down"), c.rows().get(0).key());
        assertTrue(Double.isNaN(c.rows().get(0).microsB()));
        assertTrue(Double.isNaN(c.rows().get(1).microsA()));
    }

    @Test
    void severalRunsTakeTheMedianPerStageAndOfTheTotal() {
        MoeOptions o = MoeOptions.DEFAULT.withProfiling(true);
        List<List<StageSpan>> runsA = List.of(
                List.of(span(Phase.DECODE, 0, "moe", "down", 10, o), span(Phase.DECODE, 0, "moe", "wsum", 1, o)),
                List.of(span(Phase.DECODE, 0, "moe", "down", 500, o), span(Phase.DECODE, 0, "moe", "wsum", 3, o)),
                List.of(span(Phase.DECODE, 0, "moe", "down", 12, o), span(Phase.DECODE, 0, "moe", "wsum", 2, o)));
        List<List<StageSpan>> runsB = List.of(
                List.of(span(Phase.DECODE, 0, "moe", "down", 20, o)),
                List.of(span(Phase.DECODE, 0, "moe", "down", 30, o)));
        StageComparison c = StageComparison.ofRuns(runsA, runsB);
        assertEquals(12, row(c, "down").microsA(), 1e-9, "the disturbed 500 µs run does not move the median");
        assertEquals(25, row(c, "down").microsB(), 1e-9, "even count: mean of the middle two");
        assertEquals(2, row(c, "wsum").microsA(), 1e-9);
        assertEquals(1, row(c, "down").callsA(), "calls per run");
        assertEquals(14, c.totalMicrosA(), 1e-9, "median of the run totals 11, 503, 14");
        assertEquals(25, c.totalMicrosB(), 1e-9);
        assertEquals(3, c.runsA());
        assertEquals(2, c.runsB());
    }

    @Test
    void aSideWithoutRunsIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> StageComparison.ofRuns(List.of(), List.of(List.of())));
        assertTrue(e.getMessage().contains("at least one run"));
    }
}
