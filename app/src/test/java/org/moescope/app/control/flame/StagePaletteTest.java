package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.moescope.engine.bench.StageWork;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;

class StagePaletteTest {

    @Test
    void knownStagesGetTheirOwnSlotAndEveryKeyHasADefaultColour() {
        int n = StagePalette.DEFAULT_COLORS.size();
        assertEquals(StagePalette.KEYS.size(), n);
        var slots = new HashSet<Integer>();
        for (String key : StagePalette.KEYS) {
            slots.add(StagePalette.slot(key, n));
        }
        assertEquals(n, slots.size());
        assertEquals(StagePalette.KEYS.indexOf("down"), StagePalette.slot("down", n));
        assertNotEquals(StagePalette.slot("gate", n), StagePalette.slot("up", n));
        for (String stage : new String[] {"gate", "up", "gate_up_silu", "down"}) {
            assertTrue(StagePalette.KEYS.contains(stage + "_q8"), stage);
            assertNotEquals(StagePalette.slot(stage, n), StagePalette.slot(stage + "_q8", n), stage);
        }
    }

    @Test
    void everyStageTheMoeBlockNamesHasItsOwnSlot() {
        for (Phase phase : Phase.values()) {
            for (boolean q8 : new boolean[] {false, true}) {
                for (MoeOptions options : MoeOptions.allSwitchCombinations(false, q8)) {
                    for (String stage : StageWork.stagesOf(phase, options, true)) {
                        assertTrue(StagePalette.isMoeStage(stage), phase + " " + options.label() + ": " + stage);
                    }
                }
            }
        }
    }

    @Test
    void unknownKeysHashStablyIntoThePalette() {
        int s = StagePalette.slot("new_fused_kernel", 7);
        assertTrue(s >= 0 && s < 7);
        assertEquals(s, StagePalette.slot("new_fused_kernel", 7));
        assertTrue(StagePalette.isMoeStage("wsum"));
        assertTrue(StagePalette.isMoeStage("quantize_q8"));
        assertTrue(StagePalette.isMoeStage("down_q8"));
        assertFalse(StagePalette.isMoeStage("qkv"));
    }
}
