package org.moescope.app.control.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ColorScaleTest {

    @Test
    void interpolatesBetweenStopsAndClamps() {
        ColorScale s = new ColorScale(0xff000000, 0xffffffff);
        assertEquals(0xff000000, s.argb(0));
        assertEquals(0xffffffff, s.argb(1));
        assertEquals(0xff808080, s.argb(0.5));
        assertEquals(0xff000000, s.argb(-3));
        assertEquals(0xffffffff, s.argb(7));
        assertEquals(0xff000000, s.argb(Double.NaN));
        assertEquals(0xff808080, s.argb(2, 4));
        assertEquals(0xff000000, s.argb(2, 0));
        ColorScale three = new ColorScale(0xffff0000, 0xff00ff00, 0xff0000ff);
        assertEquals(0xff00ff00, three.argb(0.5));
        assertEquals(0xff008080, three.argb(0.75));
    }

    @Test
    void viridisRunsDarkToLight() {
        ColorScale v = ColorScale.viridis();
        double previous = -1;
        for (int i = 0; i <= 10; i++) {
            double l = ColorScale.luminance(v.argb(i / 10.0));
            assertTrue(l > previous, "luminance rises at " + i);
            previous = l;
        }
    }


    @Test
    void rejectsTooFewStops() {
        assertThrows(IllegalArgumentException.class, () -> new ColorScale(0xff000000));
    }
}
