package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimeWindowTest {

    @Test
    void zoomKeepsTheAnchorUnderTheCursor() {
        TimeWindow w = new TimeWindow(1_000, 11_000);
        double anchor = 3_500; // a quarter of the way in
        TimeWindow z = w.zoom(anchor, 2, 100_000);
        assertEquals(5_000, z.spanNanos(), 1e-9);
        assertEquals(w.toX(anchor, 800), z.toX(anchor, 800), 1e-9);
        TimeWindow back = z.zoom(anchor, 0.5, 100_000);
        assertEquals(w.startNanos(), back.startNanos(), 1e-6);
        assertEquals(w.endNanos(), back.endNanos(), 1e-6);
    }

    @Test
    void zoomAndPanClampToTheRun() {
        TimeWindow w = TimeWindow.fit(10_000);
        assertEquals(new TimeWindow(0, 10_000), w.zoom(5_000, 0.1, 10_000));
        TimeWindow deep = w.zoom(0, 1e9, 10_000);
        assertEquals(TimeWindow.MIN_SPAN_NANOS, deep.spanNanos(), 1e-9);
        assertEquals(0, deep.startNanos());
        TimeWindow half = new TimeWindow(0, 5_000);
        assertEquals(new TimeWindow(5_000, 10_000), half.pan(1e6, 10_000));
        assertEquals(new TimeWindow(0, 5_000), half.pan(-1e6, 10_000));
        assertEquals(new TimeWindow(2_000, 7_000), half.pan(2_000, 10_000));
    }

    @Test
    void pixelsAndTimesRoundTrip() {
        TimeWindow w = new TimeWindow(2_000, 4_000);
        assertEquals(400, w.toX(3_000, 800), 1e-9);
        assertEquals(3_000, w.toTime(400, 800), 1e-9);
        TimeWindow a = TimeWindow.around(7_000, 6_000, 10_000);
        assertEquals(new TimeWindow(6_000, 7_000), a);
    }

    @Test
    void rejectsEmptyWindowsAndBadFactors() {
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(0, 10).zoom(0, 0, 10));
    }
}
