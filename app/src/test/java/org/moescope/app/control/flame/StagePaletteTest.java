package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import org.junit.jupiter.api.Test;

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
    }

    @Test
    void unknownKeysHashStablyIntoThePalette() {
        int s = StagePalette.slot("new_fused_kernel", 7);
        assertTrue(s >= 0 && s < 7);
        assertEquals(s, StagePalette.slot("new_fused_kernel", 7));
        assertTrue(StagePalette.isMoeStage("wsum"));
        assertFalse(StagePalette.isMoeStage("qkv"));
    }
}
