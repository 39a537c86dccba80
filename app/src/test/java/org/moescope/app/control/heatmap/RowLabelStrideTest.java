package org.moescope.app.control.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StepRouting;

/** A token heatmap too dense to label every row labels rows of every sequence of a batch, not every other one. */
class RowLabelStrideTest {

    @Test
    void aBatchedRunLabelsEverySequenceAtAnyDensity() {
        // a prefill of 8 prompt tokens, then 30 batched decode steps of 4 sequences: rows take turns by sequence
        List<StepRouting> steps = new ArrayList<>();
        steps.add(SyntheticRun.stepRouting(0, Phase.PREFILL, 8, 2, 16, 2, 1));
        for (int step = 1; step <= 30; step++) {
            steps.add(SyntheticRun.stepRouting(step, Phase.BATCHED_DECODE, 4, 2, 16, 2, 1 + step));
        }
        RoutingRun run = new RoutingRun(steps);
        HeatmapData data = run.tokenExpertHeatmap(0, id -> "t" + id, false);
        assertEquals(4, data.rowPeriod(), "the rows of a 4-sequence batch take turns in fours");

        for (int minimum = 1; minimum <= 9; minimum++) {
            int stride = RoutingHeatmapSkin.rowLabelStride(minimum, data.rowPeriod());
            assertTrue(stride >= minimum, "labels no closer than asked: " + stride + " < " + minimum);
            Set<Integer> labelled = new TreeSet<>();
            for (int r = 0; r < data.rows(); r += stride) {
                RoutingRun.TokenRow row = run.rows().get(r);
                if (row.phase() == Phase.BATCHED_DECODE) {
                    labelled.add(row.sequence());
                }
            }
            assertEquals(Set.of(0, 1, 2, 3), labelled, "sequences labelled with a label every " + stride
                    + " rows (at least " + minimum + ")");
        }
    }

    @Test
    void withoutTurnsTheStrideIsTheSpacingAsked() {
        for (int minimum = 1; minimum <= 9; minimum++) {
            assertEquals(minimum, RoutingHeatmapSkin.rowLabelStride(minimum, 1));
        }
        assertEquals(1, new HeatmapData(2, 2, new double[4], "r", "c", "v", i -> "", i -> "", (r, c) -> "").rowPeriod());
    }
}
