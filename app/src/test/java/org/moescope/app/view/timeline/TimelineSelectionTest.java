package org.moescope.app.view.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

/** Which flame-chart box a pick in the routing views selects. */
class TimelineSelectionTest {

    private static final MoeOptions OPTIONS = MoeOptions.DEFAULT.withProfiling(true);

    private static List<StageSpan> spansOf(FlameLayout layout, FlameBox box) {
        return layout.spansOf(box.depth(), box.index());
    }

    @Test
    void aStepAndLayerFindTheMoeBlockOfThatStepAndLayer() {
        FlameLayout layout = FlameLayout.of(SyntheticRun.runSpans(3, 6, 3, 1_000));
        for (int step = 0; step <= 3; step++) {
            for (int layer = 0; layer < 3; layer++) {
                FlameBox box = TimelineSelection.find(layout, step, layer);
                assertEquals(FlameLayout.DEPTH_BLOCK, box.depth());
                List<StageSpan> spans = spansOf(layout, box);
                int s = step;
                int l = layer;
                List<StageSpan> expected = layout.spans().stream()
                        .filter(x -> x.step() == s && x.layer() == l && x.block().equals("moe")).toList();
                assertEquals(expected, spans, "step " + step + " layer " + layer);
            }
        }
    }

    @Test
    void aStageNameFindsThatStageAndAnUnknownOneTheBlock() {
        FlameLayout layout = FlameLayout.of(SyntheticRun.runSpans(2, 6, 2, 1_000));
        FlameBox down = TimelineSelection.find(layout, 2, 1, "down");
        assertEquals(FlameLayout.DEPTH_STAGE, down.depth());
        StageSpan s = layout.firstSpan(down.depth(), down.index());
        assertEquals(List.of(2, 1, "moe", "down"), List.of(s.step(), s.layer(), s.block(), s.stage()));
        // gate_up_silu_q8 did not run: the MoE block of that step and layer instead
        assertEquals(TimelineSelection.find(layout, 2, 1), TimelineSelection.find(layout, 2, 1, "gate_up_silu_q8"));
    }

    @Test
    void aDenseLayerFindsItsMlpBlockAndNoLayerFindsTheStep() {
        List<StageSpan> spans = new ArrayList<>(SyntheticRun.stepSpans(0, Phase.DECODE, 1, 1, OPTIONS, 0, 100));
        long t = spans.get(spans.size() - 1).endNanos() + 100;
        // a dense layer 1 after the MoE layer 0
        spans.add(new StageSpan(0, Phase.DECODE, 1, "attention", "qkv", 1, OPTIONS, t, t + 50));
        spans.add(new StageSpan(0, Phase.DECODE, 1, "mlp", "gate", 1, OPTIONS, t + 60, t + 90));
        FlameLayout layout = FlameLayout.of(spans);
        FlameBox mlp = TimelineSelection.find(layout, 0, 1);
        assertEquals(FlameLayout.DEPTH_BLOCK, mlp.depth());
        assertEquals("mlp", layout.firstSpan(mlp.depth(), mlp.index()).block());
        FlameBox step = TimelineSelection.find(layout, 0, -1);
        assertEquals(FlameLayout.DEPTH_STEP, step.depth());
        assertEquals(spans.size(), spansOf(layout, step).size());
        // a layer the step did not run falls back to the step; a step without spans finds nothing
        assertEquals(step, TimelineSelection.find(layout, 0, 7));
        assertNull(TimelineSelection.find(layout, 5, 0));
        assertTrue(TimelineSelection.find(FlameLayout.empty(), 0, 0) == null);
    }
}
