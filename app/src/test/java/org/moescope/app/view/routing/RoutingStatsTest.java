package org.moescope.app.view.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RoutingStatsTest {

    @Test
    void balancedLoadsAreIdeal() {
        RoutingStats s = RoutingStats.of(new long[] {5, 5, 5, 5});
        assertEquals(20, s.assignments());
        assertEquals(5, s.maxLoad());
        assertEquals(5.0, s.meanLoad(), 1e-12);
        assertEquals(1.0, s.maxOverMean(), 1e-12);
        assertEquals(0.0, s.coefficientOfVariation(), 1e-12);
        assertEquals(1.0, s.normalisedEntropy(), 1e-12);
        assertEquals(0, s.deadExperts());
    }

    @Test
    void skewedLoadsByHand() {
        // loads 6, 2, 0, 0: mean 2, max/mean 3, variance ((4)^2 + 0 + 4 + 4) / 4 = 6, cv = sqrt(6)/2
        RoutingStats s = RoutingStats.of(new long[] {6, 2, 0, 0});
        assertEquals(3.0, s.maxOverMean(), 1e-12);
        assertEquals(Math.sqrt(6) / 2, s.coefficientOfVariation(), 1e-12);
        double h = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
        assertEquals(h / Math.log(4), s.normalisedEntropy(), 1e-12);
        assertEquals(2, s.deadExperts());
    }

    @Test
    void allTokensOnOneExpertHasZeroEntropy() {
        RoutingStats s = RoutingStats.of(new long[] {0, 0, 9});
        assertEquals(0.0, s.normalisedEntropy(), 1e-12);
        assertEquals(3.0, s.maxOverMean(), 1e-12);
        assertEquals(2, s.deadExperts());
    }

    @Test
    void emptyAndSingleExpert() {
        RoutingStats none = RoutingStats.of(new long[] {0, 0});
        assertEquals(0, none.assignments());
        assertEquals(2, none.deadExperts());
        assertEquals(0.0, none.maxOverMean());
        assertEquals(1.0, RoutingStats.of(new long[] {4}).normalisedEntropy());
    }

    @Test
    void rejectsBadLoads() {
        assertThrows(IllegalArgumentException.class, () -> RoutingStats.of(new long[0]));
        assertThrows(IllegalArgumentException.class, () -> RoutingStats.of(new long[] {1, -1}));
    }
}
