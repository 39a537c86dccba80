package org.moescope.engine.moe;

/**
 * The prefill dispatch of routed pairs to experts, built on the host (the host top-k path) with the same layout
 * {@code Backend.buildDispatch} builds on the device.
 *
 * @param counts       {@code [experts]} pairs per expert
 * @param offsets      {@code [experts + 1]} exclusive prefix sum of counts
 * @param sortedPairs  {@code [tokens * k]} pair ids grouped by expert, ascending within an expert
 * @param maxPerExpert the largest count (exact)
 */
public record DispatchPlan(int[] counts, int[] offsets, int[] sortedPairs, int maxPerExpert) {

    /** Builds the plan from {@code ids [tokens * k]} (expert of each pair). */
    public static DispatchPlan fromIds(int[] ids, int tokens, int experts, int k) {
        int pairs = tokens * k;
        if (ids.length < pairs) {
            throw new IllegalArgumentException("ids: length " + ids.length + " < tokens * k = " + pairs);
        }
        int[] counts = new int[experts];
        for (int p = 0; p < pairs; p++) {
            int e = ids[p];
            if (e < 0 || e >= experts) {
                throw new IllegalArgumentException("ids[" + p + "] = " + e + " is not an expert in [0, " + experts + ")");
            }
            counts[e]++;
        }
        int[] offsets = new int[experts + 1];
        int max = 0;
        for (int e = 0; e < experts; e++) {
            offsets[e + 1] = offsets[e] + counts[e];
            max = Math.max(max, counts[e]);
        }
        int[] cursor = java.util.Arrays.copyOf(offsets, experts);
        int[] sorted = new int[pairs];
        for (int p = 0; p < pairs; p++) {
            sorted[cursor[ids[p]]++] = p;
        }
        return new DispatchPlan(counts, offsets, sorted, max);
    }

    /**
     * Upper bound on the row tiles of a work list: sum over non-empty experts of ceil(count / tileRows)
     * is at most ceil(pairs / tileRows) + min(experts, pairs). The indirect grid has this many work-groups.
     */
    public static int maxTiles(int pairs, int experts, int tileRows) {
        return (pairs + tileRows - 1) / tileRows + Math.min(experts, pairs);
    }

    /** Row tiles of the direct grid: every expert gets ceil(maxPerExpert / tileRows) tiles. */
    public static long directTiles(int experts, int maxPerExpert, int tileRows) {
        return (long) experts * ((maxPerExpert + tileRows - 1) / tileRows);
    }
}
