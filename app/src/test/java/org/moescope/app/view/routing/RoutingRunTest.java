package org.moescope.app.view.routing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StepRouting;

class RoutingRunTest {

    private static List<StepRouting> run() {
        List<StepRouting> steps = new ArrayList<>();
        steps.add(SyntheticRun.stepRouting(0, Phase.PREFILL, 6, 3, 16, 4, 1));
        steps.add(null); // a step without routing capture
        steps.add(SyntheticRun.stepRouting(1, Phase.BATCHED_DECODE, 2, 3, 16, 4, 2));
        return steps;
    }

    @Test
    void rowsFlattenStepsInOrder() {
        RoutingRun run = new RoutingRun(run());
        assertEquals(8, run.rows().size());
        assertArrayEquals(new int[] {0, 1, 2}, run.layers());
        assertEquals(16, run.experts());
        assertEquals(4, run.topK());
        RoutingRun.TokenRow r = run.rows().get(7);
        assertEquals(1, r.step());
        assertEquals(1, r.rowInStep());
        assertEquals(1, r.sequence());
        assertEquals("'t' (seq 1, pos 11)", run.rowLabel(7, id -> "t"));
        assertEquals("'a\u21b5' (pos 0)", run.rowLabel(0, id -> "a\n"));
    }

    @Test
    void tokenExpertHeatmapCellsEqualTheEngineRouting() {
        List<StepRouting> steps = run();
        RoutingRun run = new RoutingRun(steps);
        HeatmapData h = run.tokenExpertHeatmap(1, id -> "x", false);
        assertEquals(8, h.rows());
        assertEquals(16, h.cols());
        int row = 0;
        for (StepRouting s : steps) {
            if (s == null) {
                continue;
            }
            LayerRouting l = s.layers().get(1);
            for (int t = 0; t < l.tokens(); t++, row++) {
                double rowSum = 0;
                for (int e = 0; e < 16; e++) {
                    rowSum += h.value(row, e);
                }
                assertEquals(1.0, rowSum, 1e-5, "renormalised weights sum to 1");
                for (int j = 0; j < l.k(); j++) {
                    assertEquals(l.weights()[t * 4 + j], h.value(row, l.ids()[t * 4 + j]), 0.0);
                }
                assertEquals(l.ids()[t * 4], run.top1(row, 1));
            }
        }
        HeatmapData p = run.tokenExpertHeatmap(2, id -> "x", true);
        LayerRouting l2 = steps.get(2).layers().get(2);
        for (int e = 0; e < 16; e++) {
            assertEquals(l2.probs()[16 + e], p.value(7, e), 0.0);
        }
        assertTrue(h.describe(0, run.top1(0, 1)).contains("weight"));
    }

    @Test
    void loadsCountEveryTopKSlot() {
        List<StepRouting> steps = run();
        RoutingRun run = new RoutingRun(steps);
        long[] loads = run.loads(0);
        assertEquals(8 * 4, Arrays.stream(loads).sum());
        long[] expected = new long[16];
        for (StepRouting s : steps) {
            if (s != null) {
                for (int id : s.layers().get(0).ids()) {
                    expected[id]++;
                }
            }
        }
        assertArrayEquals(expected, loads);
        HeatmapData h = run.layerLoadHeatmap();
        assertEquals(3, h.rows());
        for (int e = 0; e < 16; e++) {
            assertEquals(expected[e], h.value(0, e), 0.0);
        }
        assertEquals(RoutingStats.of(expected), run.stats(0));
    }

    @Test
    void missingProbabilitiesAndMismatchedRecords() {
        LayerRouting noProbs = new LayerRouting(5, 1, 2, 4, new int[] {3, 1}, new float[] {0.7f, 0.3f}, null);
        RoutingRun run = new RoutingRun(List.of(new StepRouting(2, Phase.DECODE, new int[] {9}, new int[] {4}, new int[] {0},
                List.of(noProbs))));
        assertNull(run.probs(0, 0));
        assertEquals(0.7, run.weight(0, 0, 3), 1e-6);
        assertEquals(0.0, run.weight(0, 0, 0));
        assertEquals(0, run.layerIndex(5));
        assertEquals(-1, run.layerIndex(4));
        LayerRouting wrong = new LayerRouting(0, 3, 2, 4, new int[6], new float[6], null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RoutingRun(List.of(
                new StepRouting(0, Phase.PREFILL, new int[2], new int[2], new int[2], List.of(wrong)))));
        assertTrue(e.getMessage().contains("3 tokens"));
    }
}
