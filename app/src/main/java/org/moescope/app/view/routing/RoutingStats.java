package org.moescope.app.view.routing;

/**
 * Load-balance figures of one MoE layer from its expert loads (tokens routed to each expert, counting every top-k
 * slot): how unevenly the router spreads work, which is what decides the slowest expert GEMM.
 *
 * @param experts            number of experts E
 * @param assignments        total token→expert assignments (tokens × k)
 * @param maxLoad            the busiest expert's load
 * @param meanLoad           assignments / E
 * @param maxOverMean        maxLoad / meanLoad (1 = perfectly balanced; 0 when nothing was routed)
 * @param coefficientOfVariation population standard deviation of the loads / mean (0 = balanced)
 * @param normalisedEntropy  entropy of the load distribution / ln E, in [0, 1] (1 = uniform; 1 when E = 1)
 * @param deadExperts        experts that received no token
 */
public record RoutingStats(int experts, long assignments, long maxLoad, double meanLoad, double maxOverMean,
                           double coefficientOfVariation, double normalisedEntropy, int deadExperts) {

    /** Figures for {@code loads} ({@code [E]}, each &gt;= 0). */
    public static RoutingStats of(long[] loads) {
        if (loads == null || loads.length == 0) {
            throw new IllegalArgumentException("loads must hold one entry per expert, got " + (loads == null ? "null" : "0"));
        }
        int e = loads.length;
        long total = 0;
        long max = 0;
        int dead = 0;
        for (long l : loads) {
            if (l < 0) {
                throw new IllegalArgumentException("loads must be >= 0, got " + l);
            }
            total += l;
            max = Math.max(max, l);
            if (l == 0) {
                dead++;
            }
        }
        if (total == 0) {
            return new RoutingStats(e, 0, 0, 0, 0, 0, 0, dead);
        }
        double mean = (double) total / e;
        double var = 0;
        double entropy = 0;
        for (long l : loads) {
            var += (l - mean) * (l - mean);
            if (l > 0) {
                double p = (double) l / total;
                entropy -= p * Math.log(p);
            }
        }
        double cv = Math.sqrt(var / e) / mean;
        double normEntropy = e == 1 ? 1 : entropy / Math.log(e);
        return new RoutingStats(e, total, max, mean, max / mean, cv, normEntropy, dead);
    }
}
