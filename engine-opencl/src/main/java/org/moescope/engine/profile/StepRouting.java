package org.moescope.engine.profile;

import java.util.List;

/**
 * Routing of every MoE layer for one step: the data of the routing heatmaps.
 *
 * @param tokenIds  the token id of each row (the prompt for prefill, one per sequence for batched decode)
 * @param positions the position of each row in its sequence
 * @param sequences the sequence of each row (all 0 unless batched decode)
 */
public record StepRouting(int step, Phase phase, int[] tokenIds, int[] positions, int[] sequences,
                          List<LayerRouting> layers) {
    public StepRouting {
        layers = List.copyOf(layers);
    }
}
