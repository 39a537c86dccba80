package org.moescope.app.view;

import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * What a numeric input field accepts: a whole number or a plain decimal, within [min, max]. Pure, so the rules are
 * tested without JavaFX. Only plain digits are numbers here: no exponent ("1e3"), no type suffix ("1d", which
 * {@link Double#parseDouble} takes), no NaN or Infinity, no grouping; spaces around the text are ignored.
 */
public record NumberRule(boolean whole, BigDecimal min, BigDecimal max, String allowed) {
    private static final Pattern WHOLE = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)");

    public NumberRule {
        if (min.compareTo(max) > 0) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
    }

    /** Whole numbers from {@code min} to {@code max}. */
    public static NumberRule whole(long min, long max) {
        return new NumberRule(true, BigDecimal.valueOf(min), BigDecimal.valueOf(max),
                "a whole number from " + min + " to " + max);
    }

    /** Any 64-bit whole number (a seed). */
    public static NumberRule anyLong() {
        return new NumberRule(true, BigDecimal.valueOf(Long.MIN_VALUE), BigDecimal.valueOf(Long.MAX_VALUE),
                "a whole number (a 64-bit seed, e.g. 42)");
    }

    /** Plain decimals from {@code min} to {@code max}, e.g. "0.7". */
    public static NumberRule decimal(double min, double max) {
        BigDecimal lo = BigDecimal.valueOf(min);
        BigDecimal hi = BigDecimal.valueOf(max);
        return new NumberRule(false, lo, hi, "a number from " + plain(lo) + " to " + plain(hi));
    }

    /** The result of checking a text: its value, or why it is not allowed. */
    public record Check(BigDecimal value, String problem) {
        public boolean valid() {
            return problem == null;
        }
    }

    public Check check(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            return new Check(null, "empty: enter " + allowed);
        }
        if (!(whole ? WHOLE : DECIMAL).matcher(t).matches()) {
            return new Check(null, "'" + t + "' is not " + (whole ? "a whole number" : "a number") + ": enter " + allowed);
        }
        BigDecimal value = new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            return new Check(null, t + " is out of range: enter " + allowed);
        }
        return new Check(value, null);
    }

    /** The shortest plain text of a decimal (0.05, 2, never 5E-2). */
    static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
