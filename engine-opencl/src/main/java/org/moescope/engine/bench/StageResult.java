package org.moescope.engine.bench;

/**
 * One MoE stage of one (workload, variant), per layer: samples are (repeat, layer) pairs of the profiled pass.
 *
 * @param micros      device time of the stage (profiler span), µs
 * @param weightBytes median over samples of the weight bytes read ({@link StageWork})
 * @param flops       FLOPs per layer call
 * @param gbps        median over samples of weight bytes / time, GB/s (0 when the stage reads no weights)
 * @param gflops      median over samples of FLOPs / time, GFLOP/s (0 when not counted)
 * @param modelled    whether {@link StageWork} knows the stage
 */
public record StageResult(String stage, SampleStats micros, long weightBytes, double flops, double gbps,
                          double gflops, boolean modelled) {
}
