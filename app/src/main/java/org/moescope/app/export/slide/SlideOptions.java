package org.moescope.app.export.slide;

import java.util.List;
import java.util.Locale;

/**
 * How a slide is exported: its size (a scale of the view's size on screen, or a width in pixels), whether it has the
 * title band and the legend band, and its format.
 *
 * @param size one of {@link #SIZES}: "1x" to "4x" or "1920 px", "3840 px"
 */
public record SlideOptions(String size, boolean title, boolean legend, Format format) {
    /** The sizes the export dialog offers. */
    public static final List<String> SIZES = List.of("1x", "2x", "3x", "4x", "1920 px", "3840 px");
    public static final SlideOptions DEFAULT = new SlideOptions("2x", true, true, Format.PNG);
    /** The longest side of a slide's picture, px: beyond it an image no longer fits the graphics pipeline's textures. */
    public static final int MAX_SIDE = 16384;

    public enum Format {
        PNG, SVG
    }

    public SlideOptions {
        if (!SIZES.contains(size)) {
            throw new IllegalArgumentException("slide size '" + size + "' is not one of " + SIZES);
        }
        if (format == null) {
            format = Format.PNG;
        }
    }

    /** The scale that gives this size to a slide {@code width} px wide on screen. */
    public double scaleFor(double width) {
        if (!(width > 0)) {
            throw new IllegalArgumentException("slide width must be > 0, got " + width);
        }
        String s = size.toLowerCase(Locale.ROOT);
        if (s.endsWith("px")) {
            return Integer.parseInt(s.substring(0, s.length() - 2).trim()) / width;
        }
        return Double.parseDouble(s.substring(0, s.length() - 1));
    }

    /**
     * The scale for a view of {@code width} x {@code height} px, refused when the picture would be larger than
     * {@link #MAX_SIDE} on a side.
     */
    public double checkedScale(double width, double height) {
        double scale = scaleFor(width);
        double side = Math.ceil(Math.max(width, height) * scale);
        if (side > MAX_SIDE) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "a %s slide of this view would be %.0f px on its longest side, more than the %d px an image can "
                            + "have; choose a smaller size", size, side, MAX_SIDE));
        }
        return scale;
    }

    /** {@code size} when it is one of {@link #SIZES}, else {@code fallback} (a stale or edited preference). */
    public static String sizeOr(String size, String fallback) {
        return SIZES.contains(size) ? size : fallback;
    }
}
