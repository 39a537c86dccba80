package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutingModeTest {

    @Test
    void fixedUsesOneInputAndRandomAFreshOnePerRepeat() {
        Set<Long> fixed = new HashSet<>();
        Set<Long> random = new HashSet<>();
        for (int r = -3; r < 20; r++) {
            fixed.add(RoutingMode.FIXED.inputSeed(42, r));
            random.add(RoutingMode.RANDOM.inputSeed(42, r));
        }
        assertEquals(1, fixed.size());
        assertEquals(23, random.size());
    }

    @Test
    void parsesItsLabels() {
        assertEquals(RoutingMode.FIXED, RoutingMode.parse("fixed"));
        assertEquals(RoutingMode.RANDOM, RoutingMode.parse(" Random "));
        assertThrows(IllegalArgumentException.class, () -> RoutingMode.parse("sticky"));
    }
}
