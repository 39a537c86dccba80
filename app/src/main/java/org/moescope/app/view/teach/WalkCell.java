package org.moescope.app.view.teach;

/**
 * One piece of a walk line: a number of the run (with {@link #value()}) or a label, and the sentence a hover shows.
 *
 * @param text    what is shown
 * @param meaning what it is, in a sentence (the tooltip)
 * @param value   the number shown, unrounded; NaN for labels
 */
public record WalkCell(String text, String meaning, double value) {

    public static WalkCell label(String text, String meaning) {
        return new WalkCell(text, meaning, Double.NaN);
    }

    public static WalkCell number(double value, String meaning) {
        return new WalkCell(NumberText.format(value), meaning, value);
    }

    /** A whole number (a count, an index, an expert id), shown without decimals. */
    public static WalkCell count(long value, String meaning) {
        return new WalkCell(Long.toString(value), meaning, value);
    }

    public boolean isNumber() {
        return !Double.isNaN(value);
    }
}
