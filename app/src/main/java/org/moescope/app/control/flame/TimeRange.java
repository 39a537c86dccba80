package org.moescope.app.control.flame;

/** A selected time range in nanoseconds relative to the layout origin; start &lt;= end. */
public record TimeRange(double startNanos, double endNanos) {
    public TimeRange {
        if (!(startNanos <= endNanos)) {
            throw new IllegalArgumentException("range must have startNanos <= endNanos, got [" + startNanos + ", " + endNanos + "]");
        }
    }

    /** The range between two times given in any order. */
    public static TimeRange between(double a, double b) {
        return new TimeRange(Math.min(a, b), Math.max(a, b));
    }

    public double spanNanos() {
        return endNanos - startNanos;
    }
}
