package org.moescope.engine.bench;

import java.util.List;
import org.moescope.engine.moe.MoeOptions;

/**
 * One switch combination of one workload, per layer.
 *
 * @param options            the switches (profiling off)
 * @param stages             per stage, in the order the block runs them
 * @param wallMicros         host wall time per layer with profiling off (the honest total), µs
 * @param deviceMicros       sum of the stage spans per layer with profiling on, µs
 * @param distinctExperts    mean distinct experts a layer's routing touched
 * @param layerWeightBytes   median weight bytes a layer read (router + 3 matrices per distinct expert)
 * @param layerFlops         FLOPs per layer call
 * @param gemmTiles          row tiles the prefill gate GEMM launched (-1 for the decode paths)
 * @param layer0Experts      per profiled repeat, the sorted distinct experts layer 0 chose (shows fixed vs random)
 */
public record VariantResult(MoeOptions options, List<StageResult> stages, SampleStats wallMicros,
                            SampleStats deviceMicros, double distinctExperts, long layerWeightBytes, double layerFlops,
                            long gemmTiles, List<int[]> layer0Experts) {

    public VariantResult {
        stages = List.copyOf(stages);
        layer0Experts = List.copyOf(layer0Experts);
    }

    /** Weight bytes / median wall time, GB/s. */
    public double wallGBps() {
        return layerWeightBytes / (wallMicros.median() * 1e3);
    }

    /** FLOPs / median wall time, GFLOP/s. */
    public double wallGflops() {
        return layerFlops / (wallMicros.median() * 1e3);
    }

    public StageResult stage(String name) {
        return stages.stream().filter(s -> s.stage().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage '" + name + "' in " + options.label()));
    }
}
