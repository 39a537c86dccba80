package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.Phase;

/**
 * The work one MoE stage does on one layer: bytes of weights it reads and floating-point operations, from the shape,
 * the weight dtype and the routing. Weight bytes count each distinct expert the routing touched once (a kernel
 * that reads an expert's matrix for several pairs is charged one read, the minimum any kernel must do); FLOPs count
 * a multiply-add as 2, as ggml's {@code op_flops} does.
 *
 * <p>Stage names are {@link org.moescope.engine.moe.MoeBlock}'s: router, route, route_ids, host_topk, gate, up,
 * silu, gate_up_silu, down, wsum.
 *
 * @param weightBytes bytes of weights read (0 for stages that read none)
 * @param flops       floating-point operations (0 for routing and element-wise stages, whose arithmetic is negligible)
 * @param modelled    false when the stage name is unknown to this model (both numbers are then 0)
 */
public record StageWork(long weightBytes, double flops, boolean modelled) {

    /**
     * @param tokens          T (prefill), B (batched decode) or 1 (decode)
     * @param distinctExperts experts the layer's routing selected at least once, in [1, experts]
     * @param routerDtype     dtype of the router weight {@code [experts, hidden]}
     */
    public static StageWork of(String stage, MoeShape shape, DType expertDtype, DType routerDtype, int tokens,
                               int distinctExperts) {
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
        long expertMatrix = inter * h * expertDtype.bytes();
        return switch (stage) {
            case "router" -> new StageWork(shape.experts() * h * routerDtype.bytes(), 2.0 * tokens * h * shape.experts(),
                    true);
            case "route", "route_ids", "host_topk", "silu" -> new StageWork(0, 0, true);
            case "gate", "up", "down" -> new StageWork(distinctExperts * expertMatrix, 2.0 * pairs * h * inter, true);
            case "gate_up_silu" -> new StageWork(2 * distinctExperts * expertMatrix, 4.0 * pairs * h * inter, true);
            case "wsum" -> new StageWork(0, 2.0 * pairs * h, true);
            default -> new StageWork(0, 0, false);
        };
    }

    /** Weight bytes of a whole layer: the router plus gate, up and down of every distinct expert. */
    public static long layerWeightBytes(MoeShape shape, DType expertDtype, DType routerDtype, int distinctExperts) {
        long h = shape.hidden();
        return shape.experts() * h * routerDtype.bytes() + 3L * distinctExperts * shape.inter() * h * expertDtype.bytes();
    }

    /** FLOPs of a whole layer: router, three expert projections and the weighted sum. */
    public static double layerFlops(MoeShape shape, int tokens) {
        double h = shape.hidden();
        double pairs = (double) tokens * shape.topK();
        return 2.0 * tokens * h * shape.experts() + 6.0 * pairs * h * shape.inter() + 2.0 * pairs * h;
    }

    /** The stages MoeBlock times for a path and switch state, in order. */
    public static List<String> stagesOf(Phase phase, MoeOptions options) {
        List<String> stages = new ArrayList<>(List.of("router"));
        if (phase == Phase.PREFILL) {
            stages.add(options.hostTopk() ? "host_topk" : "route_ids");
            stages.addAll(List.of("gate", "up", "silu"));
        } else {
            stages.add("route");
            stages.addAll(options.fusedGateUpSilu() ? List.of("gate_up_silu") : List.of("gate", "up", "silu"));
        }
        stages.addAll(List.of("down", "wsum"));
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
