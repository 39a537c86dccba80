package org.moescope.app.control.heatmap;

import java.util.Arrays;

/**
 * Maps a value in [0, 1] to an ARGB colour by linear interpolation between evenly spaced stops (sRGB). Pure (ints,
 * no JavaFX) so cell colours can be tested. Expert colours are {@link org.moescope.app.control.ExpertPalette}'s.
 */
public final class ColorScale {

    /** Viridis at 9 stops: perceptually even, readable in grey, safe for colour-blind viewers. */
    private static final int[] VIRIDIS = {
        0xff440154, 0xff472d7b, 0xff3b528b, 0xff2c728e, 0xff21918c, 0xff28ae80, 0xff5ec962, 0xffaadc32, 0xfffde725};

    private final int[] stops;

    /** {@code stops}: at least two ARGB colours, the first for 0, the last for 1. */
    public ColorScale(int... stops) {
        if (stops == null || stops.length < 2) {
            throw new IllegalArgumentException("stops must hold at least 2 colours, got " + (stops == null ? 0 : stops.length));
        }
        this.stops = stops.clone();
    }

    public static ColorScale viridis() {
        return new ColorScale(VIRIDIS);
    }

    public int[] stops() {
        return stops.clone();
    }

    /** Colour of {@code t}; values outside [0, 1] are clamped, NaN maps to 0. */
    public int argb(double t) {
        double v = Double.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
        double pos = v * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(pos));
        double f = pos - i;
        return lerp(stops[i], stops[i + 1], f);
    }

    /** Colour of {@code value} on a scale from 0 to {@code max} (max &lt;= 0 maps everything to the low end). */
    public int argb(double value, double max) {
        return argb(max > 0 ? value / max : 0);
    }

    private static int lerp(int a, int b, double f) {
        int out = 0;
        for (int shift = 0; shift < 32; shift += 8) {
            int ca = (a >>> shift) & 0xff;
            int cb = (b >>> shift) & 0xff;
            int c = (int) Math.round(ca + (cb - ca) * f);
            out |= (c & 0xff) << shift;
        }
        return out;
    }

    /** Relative luminance in [0, 1] (sRGB, WCAG), to pick black or white text on a colour. */
    public static double luminance(int argb) {
        double r = linear((argb >>> 16) & 0xff);
        double g = linear((argb >>> 8) & 0xff);
        double b = linear(argb & 0xff);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }

    private static double linear(int c) {
        double v = c / 255.0;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    @Override
    public String toString() {
        return "ColorScale" + Arrays.toString(Arrays.stream(stops).mapToObj(Integer::toHexString).toArray());
    }
}
