package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.app.testdata.SyntheticRun;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;

class FlameTextTest {

    @Test
    void durationsPickTheirUnit() {
        assertEquals("850 ns", FlameText.duration(850));
        assertEquals("12.3 \u00b5s", FlameText.duration(12_300));
        assertEquals("4.56 ms", FlameText.duration(4_560_000));
        assertEquals("1.50 s", FlameText.duration(1.5e9));
    }

    @Test
    void ticksAreOneTwoFiveSteps() {
        assertEquals(1_000, FlameText.tickStep(730), 1e-9);
        assertEquals(2_000, FlameText.tickStep(1_001), 1e-9);
        assertEquals(5e6, FlameText.tickStep(3.2e6), 1e-3);
        assertEquals(10, FlameText.tickStep(10), 1e-9);
        assertEquals("1.5 ms", FlameText.tick(1.5e6, 5e5));
        assertEquals("3 \u00b5s", FlameText.tick(3_000, 1_000));
        assertEquals("250 ns", FlameText.tick(250, 50));
        assertEquals("250 ms", FlameText.tick(2.5e8, 5e7));
        assertEquals("0.4 \u00b5s", FlameText.tick(400, 200));
    }

    @Test
    void describeNamesTheBoxItsPlaceAndSwitches() {
        MoeOptions opt = MoeOptions.DEFAULT.withProfiling(true).withFusedGateUpSilu(false);
        FlameLayout layout = FlameLayout.of(SyntheticRun.stepSpans(4, Phase.DECODE, 1, 1, opt, 0, 2_000));
        int stage = layout.indexAt(FlameLayout.DEPTH_STAGE, layout.start(2, 2) + 1, 0);
        String leaf = FlameText.describe(layout, FlameLayout.DEPTH_STAGE, stage);
        assertTrue(leaf.startsWith("router \u2014 2.0 \u00b5s"), leaf);
        assertTrue(leaf.contains("step 4 (decode) \u00b7 layer 0 \u00b7 moe"), leaf);
        assertTrue(leaf.contains("unfused,device-topk,indirect"), leaf);
        String block = FlameText.describe(layout, FlameLayout.DEPTH_BLOCK, 2);
        assertTrue(block.contains("7 stages, device busy 14.0 \u00b5s"), block);
        assertEquals(List.of("model", "attention", "moe", "model"),
                List.of(layout.label(2, 0), layout.label(2, 1), layout.label(2, 2), layout.label(2, 3)));
    }
}
