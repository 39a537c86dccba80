package org.moescope.app.export.slide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.prefs.Preferences;
import org.junit.jupiter.api.Test;
import org.moescope.app.prefs.AppPreferences;

class SlideOptionsTest {

    @Test
    void aScaleMultipliesAndAWidthInPixelsDivides() {
        assertEquals(1, options("1x").scaleFor(1078), 0);
        assertEquals(3, options("3x").scaleFor(1078), 0);
        assertEquals(1920.0 / 960, options("1920 px").scaleFor(960), 1e-12);
        assertEquals(3840.0 / 1078, options("3840 px").scaleFor(1078), 1e-12);
    }

    @Test
    void aPictureLargerThanAnImageCanBeIsRefusedWithTheSizeItWouldHave() {
        assertEquals(4, options("4x").checkedScale(1200, 700), 0);
        assertEquals(16, options("3840 px").checkedScale(240, 1024), 0, "16384 px high: the largest allowed");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> options("3840 px").checkedScale(240, 1100));
        assertEquals("a 3840 px slide of this view would be 17600 px on its longest side, more than the 16384 px an "
                + "image can have; choose a smaller size", e.getMessage());
    }

    @Test
    void anUnknownSizeIsRefusedAndAStalePreferenceFallsBack() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options("5x"));
        assertEquals("slide size '5x' is not one of " + SlideOptions.SIZES, e.getMessage());
        assertEquals("2x", SlideOptions.sizeOr("7 px", "2x"));
        assertEquals("4x", SlideOptions.sizeOr("4x", "2x"));
    }

    @Test
    void thePreferencesRememberTheLastOptions() throws Exception {
        Preferences node = Preferences.userRoot().node("moescope-test/slides-" + System.nanoTime());
        try {
            AppPreferences prefs = new AppPreferences(node);
            assertEquals(SlideOptions.DEFAULT, prefs.slideOptions(), "the default before any export");
            SlideOptions chosen = new SlideOptions("3840 px", false, true, SlideOptions.Format.SVG);
            prefs.setSlideOptions(chosen);
            assertEquals(chosen, new AppPreferences(node).slideOptions());
            node.put("slide.format", "GIF");
            node.put("slide.size", "9x");
            assertEquals(new SlideOptions("2x", false, true, SlideOptions.Format.PNG), prefs.slideOptions(),
                    "unreadable values fall back to the defaults");
        } finally {
            node.removeNode();
        }
    }

    private static SlideOptions options(String size) {
        return new SlideOptions(size, true, true, SlideOptions.Format.PNG);
    }
}
