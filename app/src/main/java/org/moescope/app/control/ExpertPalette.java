package org.moescope.app.control;

import javafx.scene.paint.Color;

/**
 * The one colour per expert that every view colouring experts uses (the coloured text, the inspector's bars and
 * swatches, the expert grid, the legends): Okabe and Ito's eight colours, chosen to stay apart for viewers with
 * deuteranopia, protanopia and tritanopia. A model with more experts than colours repeats them (expert {@code e}
 * gets colour {@code e mod 8}); the views then also show the expert's number, which is what tells experts of one
 * colour apart. Pure ints plus a JavaFX convenience.
 */
public final class ExpertPalette {

    /** Okabe-Ito: black, orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple. */
    private static final int[] OKABE_ITO = {
        0xff000000, 0xffe69f00, 0xff56b4e9, 0xff009e73, 0xfff0e442, 0xff0072b2, 0xffd55e00, 0xffcc79a7};
    private static final String[] NAMES = {
        "black", "orange", "sky blue", "bluish green", "yellow", "blue", "vermillion", "reddish purple"};

    private ExpertPalette() {
    }

    /** Distinct colours before they repeat. */
    public static int size() {
        return OKABE_ITO.length;
    }

    /** Opaque ARGB of expert {@code expert} (&gt;= 0). */
    public static int argb(int expert) {
        if (expert < 0) {
            throw new IllegalArgumentException("expert must be >= 0, got " + expert);
        }
        return OKABE_ITO[expert % OKABE_ITO.length];
    }

    public static Color color(int expert) {
        int argb = argb(expert);
        return Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff);
    }

    /** The colour's name, for legends and tooltips. */
    public static String name(int expert) {
        argb(expert);
        return NAMES[expert % NAMES.length];
    }

    /** Whether a model with {@code experts} experts repeats colours, so that views must show expert numbers. */
    public static boolean repeats(int experts) {
        return experts > OKABE_ITO.length;
    }

    /** Black or white, whichever reads better on the expert's colour. */
    public static Color textOn(int expert) {
        return org.moescope.app.control.heatmap.ColorScale.luminance(argb(expert)) < 0.35 ? Color.WHITE : Color.BLACK;
    }

    /** The legend's note on how experts of one colour are told apart ("" when every expert has its own colour). */
    public static String repeatNote(int experts) {
        return repeats(experts) ? "colours repeat every " + size() + " experts: the number tells experts of one colour apart" : "";
    }
}
