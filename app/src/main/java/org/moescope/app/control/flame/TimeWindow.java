package org.moescope.app.control.flame;

/**
 * The visible time range of the flame chart, in nanoseconds relative to the layout origin, with the navigation
 * arithmetic (zoom about an anchor, pan, clamp) kept free of JavaFX so it can be unit-tested. Immutable.
 *
 * @param startNanos left edge
 * @param endNanos   right edge, greater than startNanos
 */
public record TimeWindow(double startNanos, double endNanos) {

    /** Narrowest window: 100 ns across the chart, so kernels of a few µs can be read. */
    public static final double MIN_SPAN_NANOS = 100;

    public TimeWindow {
        if (!(endNanos > startNanos) || !Double.isFinite(startNanos) || !Double.isFinite(endNanos)) {
            throw new IllegalArgumentException("window must have endNanos > startNanos, got [" + startNanos + ", " + endNanos + "]");
        }
    }

    /** The whole run with no margin; a minimal window when the run is empty or instantaneous. */
    public static TimeWindow fit(double totalNanos) {
        return new TimeWindow(0, Math.max(totalNanos, MIN_SPAN_NANOS));
    }

    public double spanNanos() {
        return endNanos - startNanos;
    }

    /** x pixel of time t in a chart {@code width} pixels wide. */
    public double toX(double tNanos, double width) {
        return (tNanos - startNanos) / spanNanos() * width;
    }

    /** Time at pixel x in a chart {@code width} pixels wide. */
    public double toTime(double x, double width) {
        return startNanos + x / width * spanNanos();
    }

    /**
     * Zooms by {@code factor} (&gt; 1 zooms in) keeping {@code anchorNanos} at the same pixel, then clamps to
     * [0, totalNanos]. The span never gets narrower than {@link #MIN_SPAN_NANOS} nor wider than the run.
     */
    public TimeWindow zoom(double anchorNanos, double factor, double totalNanos) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("factor must be > 0, got " + factor);
        }
        double limit = Math.max(totalNanos, MIN_SPAN_NANOS);
        double span = Math.min(limit, Math.max(MIN_SPAN_NANOS, spanNanos() / factor));
        double fraction = (anchorNanos - startNanos) / spanNanos();
        double start = anchorNanos - fraction * span;
        return clamp(start, span, totalNanos);
    }

    /** Moves by {@code deltaNanos} (positive: later), clamped so the window stays inside [0, totalNanos]. */
    public TimeWindow pan(double deltaNanos, double totalNanos) {
        return clamp(startNanos + deltaNanos, spanNanos(), totalNanos);
    }

    /** This window's span kept, start moved into [0, totalNanos - span]. */
    private static TimeWindow clamp(double start, double span, double totalNanos) {
        double maxStart = Math.max(0, totalNanos - span);
        double s = Math.min(Math.max(start, 0), maxStart);
        return new TimeWindow(s, s + span);
    }

    /** A window showing [a, b] (in any order), widened to the minimum span around its centre. */
    public static TimeWindow around(double a, double b, double totalNanos) {
        double lo = Math.min(a, b);
        double hi = Math.max(a, b);
        double span = Math.max(hi - lo, MIN_SPAN_NANOS);
        double centre = (lo + hi) / 2;
        return clamp(centre - span / 2, span, totalNanos);
    }
}
