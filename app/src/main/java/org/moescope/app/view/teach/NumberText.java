package org.moescope.app.view.teach;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Numbers and vectors as the walk shows them: a few significant digits, long vectors abbreviated with their norm. */
public final class NumberText {
    /** Elements shown of a vector longer than {@link #SHOWN_WHOLE}. */
    public static final int PREVIEW = 6;
    /** Vectors up to this length are shown whole. */
    public static final int SHOWN_WHOLE = 8;

    private NumberText() {
    }

    /** 3 decimals for ordinary magnitudes, scientific notation for tiny or huge ones. */
    public static String format(double v) {
        double a = Math.abs(v);
        if (v == 0 || (a >= 0.01 && a < 1e4)) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** Euclidean norm. */
    public static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    /**
     * The cells of a vector, each with a sentence on what it is: the formula, the shape, "[", the first elements
     * (all when short), "… N more ]" or "]", then "‖·‖=" and the norm.
     */
    public static List<WalkCell> vector(String name, String formula, String shape, float[] v, String what) {
        List<WalkCell> cells = new ArrayList<>();
        cells.add(WalkCell.label(formula, name + ": " + what));
        cells.add(WalkCell.label(shape, "shape of " + name + ": " + v.length + " numbers"));
        int shown = v.length <= SHOWN_WHOLE ? v.length : PREVIEW;
        cells.add(WalkCell.label("[", "the first elements of " + name));
        for (int i = 0; i < shown; i++) {
            cells.add(WalkCell.number(v[i], name + "[" + i + "]: element " + i + " of " + v.length + " of " + what));
        }
        if (shown < v.length) {
            cells.add(WalkCell.label("… " + (v.length - shown) + " more ]", (v.length - shown)
                    + " more elements not shown; the norm covers all " + v.length));
        } else {
            cells.add(WalkCell.label("]", ""));
        }
        cells.add(WalkCell.label("\u2016\u00b7\u2016=", "the Euclidean norm of " + name + ": √(sum of squares)"));
        cells.add(WalkCell.number(norm(v), "‖" + name + "‖: the Euclidean length of all " + v.length
                + " elements, a one-number size of the vector"));
        return cells;
    }
}
