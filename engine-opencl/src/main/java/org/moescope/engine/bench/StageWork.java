package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.Phase;

/**
 * The work one MoE stage does on one layer: bytes of weights it reads and floating-point operations, from the shape,
 * the weight dtypes and the routing. Weight bytes are counted in the stored type ({@link DType#bytesOf}: a Q4_K
 * matrix is 4.5 bits a weight) and count each distinct expert the routing touched once (a kernel that reads an
 * expert's matrix for several pairs is charged one read, the minimum any kernel must do); FLOPs count a multiply-add
 * as 2, as ggml's {@code op_flops} does.
 *
 * <p>Stage names are {@link MoeBlock}'s: router, route, route_ids, host_topk, gate, up, silu, gate_up_silu, down,
 * wsum, and with Q8 activations quantize_q8, quantize_q8_down and the expert stages with the suffix _q8.
 *
 * @param weightBytes bytes of weights read (0 for stages that read none)
 * @param flops       floating-point operations (0 for routing and element-wise stages, whose arithmetic is negligible)
 * @param modelled    false when the stage name is unknown to this model (both numbers are then 0)
 */
public record StageWork(long weightBytes, double flops, boolean modelled) {

    /** {@link #of(String, MoeShape, DType, DType, DType, int, int)} with one dtype for gate, up and down. */
    public static StageWork of(String stage, MoeShape shape, DType expertDtype, DType routerDtype, int tokens,
                               int distinctExperts) {
        return of(stage, shape, expertDtype, expertDtype, routerDtype, tokens, distinctExperts);
    }

    /**
     * @param gateUpDtype     stored type of the gate and up experts {@code [experts, inter, hidden]}
     * @param downDtype       stored type of the down experts {@code [experts, hidden, inter]} (Q4_K_M files keep
     *                        some in Q6_K)
     * @param routerDtype     stored type of the router weight {@code [experts, hidden]}
     * @param tokens          T (prefill), B (batched decode) or 1 (decode)
     * @param distinctExperts experts the layer's routing selected at least once, in [1, experts]
     */
    public static StageWork of(String stage, MoeShape shape, DType gateUpDtype, DType downDtype, DType routerDtype,
                               int tokens, int distinctExperts) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        if (distinctExperts < 1 || distinctExperts > Math.min(shape.experts(), (long) tokens * shape.topK())) {
            throw new IllegalArgumentException("distinctExperts must be in [1, min(experts, tokens * k)], got "
                    + distinctExperts);
        }
        long h = shape.hidden();
        long inter = shape.inter();
        long pairs = (long) tokens * shape.topK();
        long gateUpMatrix = gateUpDtype.bytesOf(inter * h);
        long downMatrix = downDtype.bytesOf(h * inter);
        return switch (expertStageOf(stage)) {
            case "router" -> new StageWork(routerDtype.bytesOf(shape.experts() * h), 2.0 * tokens * h * shape.experts(),
                    true);
            case "route", "route_ids", "host_topk", "silu", MoeBlock.QUANTIZE_Q8, MoeBlock.QUANTIZE_Q8_DOWN ->
                    new StageWork(0, 0, true);
            case "gate", "up" -> new StageWork(distinctExperts * gateUpMatrix, 2.0 * pairs * h * inter, true);
            case "down" -> new StageWork(distinctExperts * downMatrix, 2.0 * pairs * h * inter, true);
            case "gate_up_silu" -> new StageWork(2 * distinctExperts * gateUpMatrix, 4.0 * pairs * h * inter, true);
            case "wsum" -> new StageWork(0, 2.0 * pairs * h, true);
            default -> new StageWork(0, 0, false);
        };
    }

    /** The float-activation expert stage a "_q8" stage is the twin of (gate_q8 -> gate), else the name itself. */
    private static String expertStageOf(String stage) {
        if (!stage.endsWith(MoeBlock.Q8_SUFFIX)) {
            return stage;
        }
        String base = stage.substring(0, stage.length() - MoeBlock.Q8_SUFFIX.length());
        return switch (base) {
            case "gate", "up", "down", "gate_up_silu" -> base;
            default -> stage;
        };
    }

    /** Weight bytes of a whole layer: the router plus gate, up and down of every distinct expert. */
    public static long layerWeightBytes(MoeShape shape, DType expertDtype, DType routerDtype, int distinctExperts) {
        return layerWeightBytes(shape, expertDtype, expertDtype, routerDtype, distinctExperts);
    }

    /** Weight bytes of a whole layer, in their stored types, with down in its own type. */
    public static long layerWeightBytes(MoeShape shape, DType gateUpDtype, DType downDtype, DType routerDtype,
                                        int distinctExperts) {
        long h = shape.hidden();
        long matrix = shape.inter() * h;
        return routerDtype.bytesOf(shape.experts() * h)
                + distinctExperts * (2 * gateUpDtype.bytesOf(matrix) + downDtype.bytesOf(matrix));
    }

    /** FLOPs of a whole layer: router, three expert projections and the weighted sum. */
    public static double layerFlops(MoeShape shape, int tokens) {
        double h = shape.hidden();
        double pairs = (double) tokens * shape.topK();
        return 2.0 * tokens * h * shape.experts() + 6.0 * pairs * h * shape.inter() + 2.0 * pairs * h;
    }

    /** The stages MoeBlock times for a path and switch state on float expert weights, in order. */
    public static List<String> stagesOf(Phase phase, MoeOptions options) {
        return stagesOf(phase, options, false);
    }

    /**
     * The stages MoeBlock times for a path and switch state, in order; {@code quantizedExperts}: the layer's expert
     * weights are quantized, so {@link MoeOptions#q8Activations()} takes effect.
     */
    public static List<String> stagesOf(Phase phase, MoeOptions options, boolean quantizedExperts) {
        boolean q8 = options.q8Activations() && quantizedExperts;
        String suffix = q8 ? MoeBlock.Q8_SUFFIX : "";
        List<String> stages = new ArrayList<>(List.of("router"));
        stages.add(phase == Phase.PREFILL ? (options.hostTopk() ? "host_topk" : "route_ids") : "route");
        if (q8) {
            stages.add(MoeBlock.QUANTIZE_Q8);
        }
        if (phase != Phase.PREFILL && options.fusedGateUpSilu()) {
            stages.add("gate_up_silu" + suffix);
        } else {
            stages.addAll(List.of("gate" + suffix, "up" + suffix, "silu"));
        }
        if (q8) {
            stages.add(MoeBlock.QUANTIZE_Q8_DOWN);
        }
        stages.addAll(List.of("down" + suffix, "wsum"));
        return List.copyOf(stages);
    }

    /** Experts selected at least once in {@code ids} (the first {@code count} entries), each checked against the range. */
    public static int distinctExperts(int[] ids, int count, int experts) {
        if (count < 0 || count > ids.length) {
            throw new IllegalArgumentException("count must be in [0, " + ids.length + "], got " + count);
        }
        boolean[] seen = new boolean[experts];
        int distinct = 0;
        for (int i = 0; i < count; i++) {
            int e = ids[i];
            if (e < 0 || e >= experts) {
                throw new IllegalArgumentException("ids[" + i + "] = " + e + " is not an expert in [0, " + experts + ")");
            }
            if (!seen[e]) {
                seen[e] = true;
                distinct++;
            }
        }
        return distinct;
    }
}
