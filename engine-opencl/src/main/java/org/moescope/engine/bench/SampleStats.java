package org.moescope.engine.bench;

import java.util.Arrays;

/**
 * Order statistics of repeated measurements: median and spread (min, max and the inter-quartile range).
 * Quartiles interpolate linearly between order statistics (the "type 7" definition of R and NumPy), so the median
 * of an even count is the mean of the two middle values.
 */
public record SampleStats(int count, double median, double min, double max, double q1, double q3, double mean) {

    /** Statistics of {@code samples} (not modified); throws when empty or when a sample is not finite. */
    public static SampleStats of(double... samples) {
        if (samples == null || samples.length == 0) {
            throw new IllegalArgumentException("samples must not be empty");
        }
        double[] sorted = samples.clone();
        double sum = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (!Double.isFinite(sorted[i])) {
                throw new IllegalArgumentException("samples[" + i + "] is not finite: " + sorted[i]);
            }
            sum += sorted[i];
        }
        Arrays.sort(sorted);
        return new SampleStats(sorted.length, quantile(sorted, 0.5), sorted[0], sorted[sorted.length - 1],
                quantile(sorted, 0.25), quantile(sorted, 0.75), sum / sorted.length);
    }

    /** The {@code p}-quantile of ascending {@code sorted}, interpolating at position {@code p * (n - 1)}. */
    static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Inter-quartile range q3 - q1. */
    public double iqr() {
        return q3 - q1;
    }

    /** These statistics with every value multiplied by {@code factor} (unit changes); order is kept for factor > 0. */
    public SampleStats scaled(double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("factor must be > 0, got " + factor);
        }
        return new SampleStats(count, median * factor, min * factor, max * factor, q1 * factor, q3 * factor,
                mean * factor);
    }
}
