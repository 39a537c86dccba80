package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SampleStatsTest {

    @Test
    void oddCountMedianIsTheMiddleValueWhateverTheOrder() {
        SampleStats s = SampleStats.of(9, 1, 5, 3, 7);
        assertEquals(5, s.count());
        assertEquals(5, s.median());
        assertEquals(1, s.min());
        assertEquals(9, s.max());
        assertEquals(3, s.q1());
        assertEquals(7, s.q3());
        assertEquals(5, s.mean());
        assertEquals(4, s.iqr());
    }

    @Test
    void evenCountMedianIsTheMeanOfTheTwoMiddleValues() {
        SampleStats s = SampleStats.of(4, 1, 3, 10);
        assertEquals(3.5, s.median());
        // type-7 quartiles: positions 0.75 and 2.25 of [1, 3, 4, 10]
        assertEquals(1 + 0.75 * 2, s.q1(), 1e-12);
        assertEquals(4 + 0.25 * 6, s.q3(), 1e-12);
        assertEquals(4.5, s.mean());
    }

    @Test
    void oneSampleIsEveryStatistic() {
        SampleStats s = SampleStats.of(2.5);
        assertEquals(2.5, s.median());
        assertEquals(2.5, s.q1());
        assertEquals(2.5, s.q3());
        assertEquals(0, s.iqr());
    }

    @Test
    void anOutlierMovesTheMeanButNotTheMedian() {
        SampleStats s = SampleStats.of(10, 11, 10, 12, 1000);
        assertEquals(11, s.median());
        assertEquals(1000, s.max());
        assertEquals(208.6, s.mean(), 1e-9);
    }

    @Test
    void theInputIsNotReordered() {
        double[] samples = {3, 1, 2};
        SampleStats.of(samples);
        assertEquals(3, samples[0]);
        assertEquals(1, samples[1]);
    }

    @Test
    void scalingChangesUnitsOfEveryField() {
        SampleStats s = SampleStats.of(1, 2, 3).scaled(1000);
        assertEquals(2000, s.median());
        assertEquals(1000, s.min());
        assertEquals(3000, s.max());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(IllegalArgumentException.class, SampleStats::of);
        assertThrows(IllegalArgumentException.class, () -> SampleStats.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> SampleStats.of(1).scaled(0));
    }
}
