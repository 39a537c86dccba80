package org.moescope.app.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The expert palette stays tellable apart for colour-blind viewers: every pair of its colours, passed through a
 * simulation of deuteranopia and of protanopia (Machado, Oliveira and Fernandes 2009, severity 1, on linear RGB),
 * is at least {@link #MIN_DELTA_E} apart in CIELAB (ΔE*ab; about 2.3 is just noticeable, 10 is plainly different).
 */
class ExpertPaletteTest {
    static final double MIN_DELTA_E = 15;

    static final double[][] DEUTERANOPIA = {
        {0.367322, 0.860646, -0.227968}, {0.280085, 0.672501, 0.047413}, {-0.011820, 0.042940, 0.968881}};
    static final double[][] PROTANOPIA = {
        {0.152286, 1.052583, -0.204868}, {0.114503, 0.786281, 0.099216}, {-0.003882, -0.048116, 1.051998}};
    static final double[][] NORMAL = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};

    @Test
    void everyPairStaysApartUnderSimulatedDeuteranopiaAndProtanopia() {
        for (double[][] vision : new double[][][] {NORMAL, DEUTERANOPIA, PROTANOPIA}) {
            double min = Double.MAX_VALUE;
            for (int a = 0; a < ExpertPalette.size(); a++) {
                for (int b = a + 1; b < ExpertPalette.size(); b++) {
                    double d = deltaE(lab(simulate(ExpertPalette.argb(a), vision)), lab(simulate(ExpertPalette.argb(b), vision)));
                    min = Math.min(min, d);
                }
            }
            assertTrue(min >= MIN_DELTA_E, "closest pair is " + min + " apart");
        }
    }

    @Test
    void theSimulationMergesWhatADeuteranopeCannotTellApart() {
        // the check itself: pure red and green differ plainly in normal vision and far less for a deuteranope
        double normal = deltaE(lab(simulate(0xffff0000, NORMAL)), lab(simulate(0xff00a000, NORMAL)));
        double deutan = deltaE(lab(simulate(0xffff0000, DEUTERANOPIA)), lab(simulate(0xff00a000, DEUTERANOPIA)));
        assertTrue(deutan < normal / 2, normal + " vs " + deutan);
    }

    @Test
    void coloursRepeatEveryPaletteSizeAndTheViewsThenShowNumbers() {
        assertEquals(8, ExpertPalette.size());
        for (int e = 0; e < 128; e++) {
            assertEquals(ExpertPalette.argb(e % 8), ExpertPalette.argb(e));
            assertEquals(0xff, ExpertPalette.argb(e) >>> 24, "opaque");
        }
        assertFalse(ExpertPalette.repeats(8));
        assertTrue(ExpertPalette.repeats(16));
        assertTrue(ExpertPalette.repeatNote(128).contains("number"));
        assertEquals("", ExpertPalette.repeatNote(8));
        assertThrows(IllegalArgumentException.class, () -> ExpertPalette.argb(-1));
    }

    /** Linear-RGB simulation, back to sRGB bytes (clamped) as ARGB. */
    static int simulate(int argb, double[][] m) {
        double[] lin = {linear((argb >>> 16) & 0xff), linear((argb >>> 8) & 0xff), linear(argb & 0xff)};
        int out = 0xff000000;
        for (int i = 0; i < 3; i++) {
            double v = Math.max(0, Math.min(1, m[i][0] * lin[0] + m[i][1] * lin[1] + m[i][2] * lin[2]));
            double s = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
            out |= (int) Math.round(s * 255) << (16 - 8 * i);
        }
        return out;
    }

    static double[] lab(int argb) {
        double r = linear((argb >>> 16) & 0xff);
        double g = linear((argb >>> 8) & 0xff);
        double b = linear(argb & 0xff);
        double x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        double y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        double z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        double fx = f(x);
        double fy = f(y);
        double fz = f(z);
        return new double[] {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
    }

    private static double f(double t) {
        return t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16.0 / 116;
    }

    static double deltaE(double[] a, double[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }

    private static double linear(int c) {
        double v = c / 255.0;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
}
