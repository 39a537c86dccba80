package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

class FlameLayoutTest {

    private static final MoeOptions OPT = MoeOptions.DEFAULT.withProfiling(true);

    @Test
    void rowsNestStepLayerBlockStage() {
        // 2 layers, decode fused: embed + 2 * (7 attention + 5 moe) + final_norm + lm_head = 27 stages
        List<StageSpan> spans = SyntheticRun.stepSpans(1, Phase.DECODE, 2, 1, OPT, 5_000, 1_000);
        FlameLayout layout = FlameLayout.of(spans);
        assertEquals(1, layout.count(FlameLayout.DEPTH_STEP));
        // model(embed), layer 0, layer 1, model(final_norm, lm_head): layer -1 appears twice, not as one box
        assertEquals(4, layout.count(FlameLayout.DEPTH_LAYER));
        assertEquals(List.of("model", "layer 0", "layer 1", "model"),
                List.of(layout.label(1, 0), layout.label(1, 1), layout.label(1, 2), layout.label(1, 3)));
        // model, attention, moe, attention, moe, model
        assertEquals(6, layout.count(FlameLayout.DEPTH_BLOCK));
        assertEquals(27, layout.count(FlameLayout.DEPTH_STAGE));
        assertEquals(0, layout.start(0, 0));
        assertEquals(layout.durationNanos(), layout.end(0, 0));
        assertEquals(5_000, layout.originNanos());
        assertEquals(27 * 1_000 + 26 * 100, layout.durationNanos());
        // a block box spans exactly its stages
        List<StageSpan> moe0 = layout.spansOf(FlameLayout.DEPTH_BLOCK, 2);
        assertEquals(SyntheticRun.MOE_DECODE_FUSED, moe0.stream().map(StageSpan::stage).toList());
        assertEquals(moe0.get(0).startNanos() - 5_000, layout.start(2, 2));
        assertEquals(moe0.get(4).endNanos() - 5_000, layout.end(2, 2));
        assertEquals("moe", layout.colorKey(2, 2));
        assertEquals("gate_up_silu", layout.colorKey(3, layout.indexAt(3, moe0.get(2).startNanos() - 5_000 + 10, 0)));
    }

    @Test
    void inputOrderDoesNotMatterAndChildrenStayInsideParents() {
        List<StageSpan> spans = new ArrayList<>(SyntheticRun.runSpans(3, 8, 4, 700));
        Collections.shuffle(spans, new Random(3));
        FlameLayout layout = FlameLayout.of(spans);
        assertEquals(5, layout.count(0));
        for (int d = 1; d < FlameLayout.DEPTHS; d++) {
            for (int i = 0; i < layout.count(d); i++) {
                long mid = (layout.start(d, i) + layout.end(d, i)) / 2;
                int parent = layout.indexAt(d - 1, mid, 0);
                assertTrue(parent >= 0, "depth " + d + " box " + i + " has a parent");
                assertTrue(layout.start(d - 1, parent) <= layout.start(d, i) && layout.end(d, i) <= layout.end(d - 1, parent));
            }
        }
    }

    @Test
    void fiftyThousandSpansCullAndMergeToAboutOneBoxPerPixel() {
        // prefill + 100 decode steps of a 40-layer model, prefill 40*14 + 3 = 563 spans, decode 40*12 + 3 = 483 each: 48,863 spans
        List<StageSpan> spans = SyntheticRun.runSpans(40, 32, 100, 2_000);
        assertEquals(48_863, spans.size());
        FlameLayout layout = FlameLayout.of(spans);
        assertEquals(48_863, layout.count(FlameLayout.DEPTH_STAGE));
        assertEquals(101, layout.count(FlameLayout.DEPTH_STEP));
        assertEquals(101 * 42, layout.count(FlameLayout.DEPTH_LAYER));

        // zoomed out, 1000 px: every box is covered by exactly one visit, and visits are few
        double total = layout.durationNanos();
        double nsPerPixel = total / 1000;
        int[] covered = new int[layout.count(3)];
        List<long[]> visits = new ArrayList<>();
        layout.visit(3, 0, total, nsPerPixel, (index, start, end, merged) -> visits.add(new long[] {start, end}));
        assertTrue(visits.size() <= 2_000, "merged to " + visits.size() + " visits");
        int v = 0;
        for (int i = 0; i < covered.length; i++) {
            while (v < visits.size() && visits.get(v)[1] < layout.end(3, i)) {
                v++;
            }
            assertTrue(v < visits.size() && visits.get(v)[0] <= layout.start(3, i), "box " + i + " covered");
        }
        // visits never overlap and ascend
        for (int i = 1; i < visits.size(); i++) {
            assertTrue(visits.get(i)[0] >= visits.get(i - 1)[1]);
        }

        // zoomed in on one decode step without merging: exactly the stages of that step are visited
        int step50 = 50;
        double from = layout.start(0, step50);
        double to = layout.end(0, step50);
        Set<Integer> seen = new HashSet<>();
        layout.visit(3, from, to, 0, (index, s, e, merged) -> {
            assertFalse(merged);
            seen.add(index);
        });
        assertEquals(483, seen.size());
        for (int i : seen) {
            assertEquals(50, layout.firstSpan(3, i).step());
        }
        assertEquals(483, layout.spansIn(from, to).size());
        assertEquals(483, layout.spansOf(0, step50).size());
    }

    @Test
    void hidingGapsSqueezesIdleTimeBetweenStepsOnly() {
        List<StageSpan> spans = new ArrayList<>();
        spans.addAll(SyntheticRun.stepSpans(0, Phase.PREFILL, 1, 4, OPT, 0, 1_000));
        long firstEnd = spans.get(spans.size() - 1).endNanos();
        // the user waited a second before clicking Step
        spans.addAll(SyntheticRun.stepSpans(1, Phase.DECODE, 1, 1, OPT, firstEnd + 1_000_000_000L, 1_000));
        FlameLayout real = FlameLayout.of(spans);
        FlameLayout compact = FlameLayout.of(spans, true);
        assertFalse(real.gapsHidden());
        assertTrue(compact.gapsHidden());
        assertTrue(real.durationNanos() > 1_000_000_000L);
        long step0 = compact.end(0, 0) - compact.start(0, 0);
        long step1 = compact.end(0, 1) - compact.start(0, 1);
        long keptGap = compact.start(0, 1) - compact.end(0, 0);
        assertEquals((long) Math.ceil(step0 * FlameLayout.STEP_GAP_FRACTION), keptGap);
        assertEquals(real.end(0, 0) - real.start(0, 0), step0);
        assertEquals(real.end(0, 1) - real.start(0, 1), step1);
        assertEquals(step0 + keptGap + step1, compact.durationNanos());
        // stage boxes keep their durations and the gaps inside a step (100 ns here)
        for (int i = 0; i < compact.count(3); i++) {
            assertEquals(real.end(3, i) - real.start(3, i), compact.end(3, i) - compact.start(3, i));
        }
        assertEquals(100, compact.start(3, 1) - compact.end(3, 0));
        // gaps shorter than the kept fraction (10 µs between steps of ~20 ms here) are left as they are
        List<StageSpan> busy = SyntheticRun.runSpans(1, 4, 2, 1_000_000);
        assertEquals(FlameLayout.of(busy).durationNanos(), FlameLayout.of(busy, true).durationNanos());
    }

    @Test
    void indexAtFindsThinBoxesWithinTolerance() {
        List<StageSpan> spans = List.of(
                new StageSpan(0, Phase.DECODE, 0, "moe", "route", 1, OPT, 0, 10),
                new StageSpan(0, Phase.DECODE, 0, "moe", "down", 1, OPT, 1_000, 1_002));
        FlameLayout layout = FlameLayout.of(spans);
        assertEquals(0, layout.indexAt(3, 5, 0));
        assertEquals(-1, layout.indexAt(3, 500, 0));
        assertEquals(1, layout.indexAt(3, 1_005, 5));
        assertEquals(-1, layout.indexAt(3, 1_005, 2));
        assertEquals(-1, FlameLayout.empty().indexAt(0, 0, 100));
    }

    @Test
    void rejectsBadInput() {
        StageSpan backwards = new StageSpan(0, Phase.DECODE, 0, "moe", "route", 1, OPT, 10, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlameLayout.of(List.of(backwards)));
        assertTrue(e.getMessage().contains("spans"));
        assertThrows(IllegalArgumentException.class, () -> FlameLayout.empty().count(4));
        assertTrue(FlameLayout.empty().isEmpty());
    }
}
