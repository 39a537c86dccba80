package org.moescope.engine.bench;

import java.util.List;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;

/**
 * What the MoE layer benchmark runs.
 *
 * @param shapeName  what the shape is, for reports (e.g. "qwen3-30b-a3b")
 * @param shape      dimensions of every benchmarked layer
 * @param layers     distinct layers (own weights each) run back to back per repeat; more layers than fit in the
 *                   device's caches keep weights from staying cached between layers
 * @param dtype      expert and router weight dtype
 * @param workloads  paths and token counts
 * @param variants   switch combinations (profiling is set by the bench itself)
 * @param warmup     untimed calls per (workload, variant) before measuring
 * @param repeats    timed repeats per (workload, variant), once with profiling off (wall) and once on (stages)
 * @param routing    fixed or fresh expert choice per repeat
 * @param seed       base seed of weights and inputs
 */
public record BenchSettings(String shapeName, MoeShape shape, int layers, DType dtype, List<Workload> workloads,
                            List<MoeOptions> variants, int warmup, int repeats, RoutingMode routing, long seed) {

    /** Qwen3-30B-A3B's MoE block: hidden 2048, moe_intermediate 768, 128 experts, top-8, norm_topk_prob. */
    public static final MoeShape QWEN3_30B_A3B = new MoeShape(2048, 768, 128, 8, true);

    public BenchSettings {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (layers < 1) {
            throw new IllegalArgumentException("layers must be >= 1, got " + layers);
        }
        if (dtype == null || dtype == DType.I32) {
            throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
        }
        if (workloads == null || workloads.isEmpty()) {
            throw new IllegalArgumentException("workloads must not be empty");
        }
        if (variants == null || variants.isEmpty()) {
            throw new IllegalArgumentException("variants must not be empty");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        if (routing == null) {
            throw new IllegalArgumentException("routing must not be null");
        }
        workloads = List.copyOf(workloads);
        variants = variants.stream().map(v -> v.withProfiling(false)).distinct().toList();
    }

    /** The defaults of issue 6 at the Qwen3-30B-A3B shape: 2 layers, all workloads, all 8 switch combinations. */
    public static BenchSettings defaults(DType dtype) {
        return new BenchSettings("qwen3-30b-a3b", QWEN3_30B_A3B, 2, dtype, Workload.DEFAULTS,
                MoeOptions.allSwitchCombinations(false), 2, 5, RoutingMode.FIXED, 42);
    }

    /** Largest token count of any workload: the MoE block's scratch is sized for it. */
    public int maxTokens() {
        return workloads.stream().mapToInt(Workload::tokens).max().orElseThrow();
    }
}
