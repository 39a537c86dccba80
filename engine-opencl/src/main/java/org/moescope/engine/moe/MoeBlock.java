package org.moescope.engine.moe;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Profiler;

/**
 * The MoE block of moe_forward.rs: its three paths (decode, prefill, batched decode) over any {@link Backend}.
 * Scratch buffers are allocated once for up to {@code maxTokens} tokens and shared by all layers.
 *
 * <p>Stages are timed with the profiler passed in (block "moe"); the caller picks {@link Profiler#OFF} or a live
 * one, {@link MoeOptions#profiling()} is not consulted here. The kernel switches of {@link MoeOptions} are read
 * on every call, so they can change between steps. Stage names, in order:
 * <ul>
 *   <li>decode and batched decode: router, route, gate_up_silu (fused) or gate, up, silu; down, wsum</li>
 *   <li>prefill: router, route_ids (device top-k and dispatch) or host_topk, gate, up, silu, down, wsum</li>
 * </ul>
 * With {@link MoeOptions#q8Activations()} on and the layer's expert weights quantized, the expert input is quantized
 * into Q8_0 blocks in a stage {@value #QUANTIZE_Q8} before the gate and up projections, and the SiLU output in a
 * stage {@value #QUANTIZE_Q8_DOWN} before down; the expert stages that take those blocks carry the suffix
 * {@value #Q8_SUFFIX} (gate_up_silu_q8, gate_q8, up_q8, down_q8). On float expert weights the switch changes nothing.
 */
@SuppressWarnings("try") // profiler scopes only time the work in their body and are never referenced
public final class MoeBlock implements AutoCloseable {
    private static final String BLOCK = "moe";
    /** Stage that quantizes the expert input {@code [T, h]} into Q8_0 blocks. */
    public static final String QUANTIZE_Q8 = "quantize_q8";
    /** Stage that quantizes down's input (the SiLU output {@code [P, inter]}) into Q8_0 blocks. */
    public static final String QUANTIZE_Q8_DOWN = "quantize_q8_down";
    /** Suffix of the expert stages whose kernels took Q8_0 activations. */
    public static final String Q8_SUFFIX = "_q8";

    private final Backend backend;
    private final MoeShape shape;
    private final int maxTokens;
    private final int tileRows;
    private final List<DeviceBuffer> owned = new ArrayList<>();

    // scratch for T = maxTokens tokens, P = T * k pairs
    private final DeviceBuffer logits;      // [T, E] router logits
    private final DeviceBuffer ids;         // [P] expert of each pair
    private final DeviceBuffer weights;     // [P] routing weight of each pair
    private final DeviceBuffer counts;      // [E] pairs per expert (prefill)
    private final DeviceBuffer offsets;     // [E + 1] exclusive prefix sum of counts (prefill)
    private final DeviceBuffer sortedPairs; // [P] pair ids grouped by expert (prefill)
    private final DeviceBuffer workList;    // [2 * maxTiles + 1] indirect grid tiles (prefill)
    private final DeviceBuffer gate;        // [P, inter]
    private final DeviceBuffer up;          // [P, inter]
    private final DeviceBuffer silu;        // [P, inter] silu(gate) * up
    private final DeviceBuffer down;        // [P, hidden]
    // Q8 activations, allocated on first use (float models never need them) and kept until close
    private DeviceBuffer inputQ8;           // [T, hidden] Q8_0
    private DeviceBuffer siluQ8;            // [P, inter] Q8_0

    private int lastTokens;
    private long lastGemmTiles;
    private boolean closed;

    public MoeBlock(Backend backend, MoeShape shape, int maxTokens) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("maxTokens must be > 0, got " + maxTokens);
        }
        long pairs = (long) maxTokens * shape.topK();
        if (pairs * Math.max(shape.inter(), shape.hidden()) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + " makes scratch of more than 2^31 elements");
        }
        this.backend = backend;
        this.shape = shape;
        this.maxTokens = maxTokens;
        this.tileRows = backend.groupedGemmTileRows();
        int experts = shape.experts();
        int maxTiles = DispatchPlan.maxTiles((int) pairs, experts, tileRows);
        try {
            logits = scratch("logits", DType.F32, (long) maxTokens * experts);
            ids = scratch("ids", DType.I32, pairs);
            weights = scratch("weights", DType.F32, pairs);
            counts = scratch("counts", DType.I32, experts);
            offsets = scratch("offsets", DType.I32, experts + 1L);
            sortedPairs = scratch("sortedPairs", DType.I32, pairs);
            workList = scratch("workList", DType.I32, 2L * maxTiles + 1);
            gate = scratch("gate", DType.F32, pairs * shape.inter());
            up = scratch("up", DType.F32, pairs * shape.inter());
            silu = scratch("silu", DType.F32, pairs * shape.inter());
            down = scratch("down", DType.F32, pairs * shape.hidden());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private DeviceBuffer scratch(String name, DType dtype, long length) {
        DeviceBuffer b = backend.allocate("moe.scratch." + name, dtype, length);
        owned.add(b);
        return b;
    }

    public MoeShape shape() {
        return shape;
    }

    /** Largest T (prefill) or B (batched decode) the scratch holds. */
    public int maxTokens() {
        return maxTokens;
    }

    /**
     * Decode of one token: router → route → fused gate+up+SiLU (or gate, up, silu) → down → weighted sum added to
     * {@code residual [1, h]}, fused with the next layer's RMSNorm into {@code normOut} when {@code nextNorm != null}.
     * {@code x [1, h]} is the normed input; it may be the same buffer as {@code normOut}.
     */
    public void decode(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer nextNorm,
                       DeviceBuffer normOut, float eps, MoeOptions options, Profiler profiler, int layer) {
        checkCall(w, x, 1, options, profiler);
        int h = shape.hidden();
        checkActivation("residual", residual, h);
        if (nextNorm != null) {
            checkWeight("nextNorm", nextNorm, h, "hidden");
            checkActivation("normOut", normOut, h);
        }
        routerAndRoute(w, x, 1, profiler, layer);
        expertGemvs(w, x, 1, options, profiler, layer);
        try (var s = profiler.stage(layer, BLOCK, "wsum")) {
            backend.weightedSumResidual(down, weights, residual, nextNorm, normOut, 1, shape.topK(), h, eps);
        }
        lastTokens = 1;
    }

    /** Prefill of T tokens: {@code out [T, h] = moe(x [T, h])} (not added to the residual); out may be x. */
    public void prefill(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer out, int tokens, MoeOptions options,
                        Profiler profiler, int layer) {
        checkCall(w, x, tokens, options, profiler);
        checkActivation("out", out, (long) tokens * shape.hidden());
        int h = shape.hidden();
        int inter = shape.inter();
        int e = shape.experts();
        int k = shape.topK();
        int pairs = tokens * k;
        try (var s = profiler.stage(layer, BLOCK, "router")) {
            backend.matmul(x, w.router(), logits, tokens, h, e);
        }
        int maxPerExpert;
        if (options.hostTopk()) {
            try (var s = profiler.stage(layer, BLOCK, "host_topk")) {
                maxPerExpert = hostTopk(tokens);
            }
        } else {
            try (var s = profiler.stage(layer, BLOCK, "route_ids")) {
                backend.routeTopk(logits, ids, weights, tokens, e, k, shape.normTopk());
                backend.buildDispatch(ids, counts, offsets, sortedPairs, workList, tokens, e, k, tileRows);
            }
            maxPerExpert = pairs; // the device knows the real maximum; the host sizes for the worst case
        }
        DeviceBuffer list = options.indirectDispatch() ? workList : null;
        boolean q8 = q8Applies(w, options);
        String suffix = q8 ? Q8_SUFFIX : "";
        DeviceBuffer in = q8 ? quantizeInput(x, tokens, profiler, layer) : x;
        long tiles;
        try (var s = profiler.stage(layer, BLOCK, "gate" + suffix)) {
            tiles = backend.groupedGemm(in, k, w.gate(), gate, counts, offsets, sortedPairs, list, tokens, k, e, h,
                    inter, maxPerExpert);
        }
        try (var s = profiler.stage(layer, BLOCK, "up" + suffix)) {
            backend.groupedGemm(in, k, w.up(), up, counts, offsets, sortedPairs, list, tokens, k, e, h, inter,
                    maxPerExpert);
        }
        try (var s = profiler.stage(layer, BLOCK, "silu")) {
            backend.siluMul(gate, up, silu, pairs * inter);
        }
        DeviceBuffer downIn = q8 ? quantizeSilu(pairs, profiler, layer) : silu;
        try (var s = profiler.stage(layer, BLOCK, "down" + suffix)) {
            backend.groupedGemm(downIn, 1, w.down(), down, counts, offsets, sortedPairs, list, tokens, k, e, inter, h,
                    maxPerExpert);
        }
        try (var s = profiler.stage(layer, BLOCK, "wsum")) {
            backend.weightedSum(down, weights, out, tokens, k, h);
        }
        lastTokens = tokens;
        lastGemmTiles = tiles;
    }

    /** Host top-k: logits read back, routed and bucketed on the host, uploaded; returns the exact max per expert. */
    private int hostTopk(int tokens) {
        int e = shape.experts();
        int k = shape.topK();
        float[] hostLogits = backend.readFloats(logits, 0, tokens * e);
        Routing routing = Router.route(hostLogits, tokens, e, k, shape.normTopk());
        DispatchPlan plan = DispatchPlan.fromIds(routing.ids(), tokens, e, k);
        backend.write(counts, plan.counts());
        backend.write(offsets, plan.offsets());
        backend.write(sortedPairs, plan.sortedPairs());
        backend.write(ids, routing.ids());
        backend.write(weights, routing.weights());
        return plan.maxPerExpert();
    }

    /** Batched decode of B sequences, one token each: {@code out [B, h] = moe(x [B, h])} with pair-indexed GEMVs. */
    public void batchedDecode(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer out, int batch, MoeOptions options,
                              Profiler profiler, int layer) {
        checkCall(w, x, batch, options, profiler);
        checkActivation("out", out, (long) batch * shape.hidden());
        routerAndRoute(w, x, batch, profiler, layer);
        expertGemvs(w, x, batch, options, profiler, layer);
        try (var s = profiler.stage(layer, BLOCK, "wsum")) {
            backend.weightedSum(down, weights, out, batch, shape.topK(), shape.hidden());
        }
        lastTokens = batch;
    }

    /** Stages "router" and "route" of the decode paths. */
    private void routerAndRoute(MoeLayerWeights w, DeviceBuffer x, int tokens, Profiler profiler, int layer) {
        try (var s = profiler.stage(layer, BLOCK, "router")) {
            backend.matmul(x, w.router(), logits, tokens, shape.hidden(), shape.experts());
        }
        try (var s = profiler.stage(layer, BLOCK, "route")) {
            backend.routeTopk(logits, ids, weights, tokens, shape.experts(), shape.topK(), shape.normTopk());
        }
    }

    /** Pair-indexed expert GEMVs of the decode paths: gate, up and SiLU (fused or not), then down. */
    private void expertGemvs(MoeLayerWeights w, DeviceBuffer x, int tokens, MoeOptions options, Profiler profiler,
                             int layer) {
        int h = shape.hidden();
        int inter = shape.inter();
        int e = shape.experts();
        int k = shape.topK();
        int pairs = tokens * k;
        boolean q8 = q8Applies(w, options);
        String suffix = q8 ? Q8_SUFFIX : "";
        DeviceBuffer in = q8 ? quantizeInput(x, tokens, profiler, layer) : x;
        if (options.fusedGateUpSilu()) {
            try (var s = profiler.stage(layer, BLOCK, "gate_up_silu" + suffix)) {
                backend.expertGateUpSilu(in, k, w.gate(), w.up(), ids, silu, pairs, e, h, inter);
            }
        } else {
            try (var s = profiler.stage(layer, BLOCK, "gate" + suffix)) {
                backend.expertGemv(in, k, w.gate(), ids, gate, pairs, e, h, inter);
            }
            try (var s = profiler.stage(layer, BLOCK, "up" + suffix)) {
                backend.expertGemv(in, k, w.up(), ids, up, pairs, e, h, inter);
            }
            try (var s = profiler.stage(layer, BLOCK, "silu")) {
                backend.siluMul(gate, up, silu, pairs * inter);
            }
        }
        DeviceBuffer downIn = q8 ? quantizeSilu(pairs, profiler, layer) : silu;
        try (var s = profiler.stage(layer, BLOCK, "down" + suffix)) {
            backend.expertGemv(downIn, 1, w.down(), ids, down, pairs, e, inter, h);
        }
    }

    /**
     * Whether this call takes Q8_0 activations: the switch is on and all three expert matrices are quantized (their
     * rows are then whole blocks, so hidden and inter are multiples of 32, as quantizeQ8 needs).
     */
    public static boolean q8Applies(MoeLayerWeights w, MoeOptions options) {
        return options.q8Activations() && w.gate().dtype().isQuantized() && w.up().dtype().isQuantized()
                && w.down().dtype().isQuantized();
    }

    /** Stage "quantize_q8": the expert input {@code x [T, h]} into Q8_0 blocks; returns them. */
    private DeviceBuffer quantizeInput(DeviceBuffer x, int tokens, Profiler profiler, int layer) {
        if (inputQ8 == null) {
            inputQ8 = scratch("inputQ8", DType.Q8_0, (long) maxTokens * shape.hidden());
        }
        try (var s = profiler.stage(layer, BLOCK, QUANTIZE_Q8)) {
            backend.quantizeQ8(x, inputQ8, tokens, shape.hidden());
        }
        return inputQ8;
    }

    /** Stage "quantize_q8_down": the SiLU output {@code [P, inter]} into Q8_0 blocks; returns them. */
    private DeviceBuffer quantizeSilu(int pairs, Profiler profiler, int layer) {
        if (siluQ8 == null) {
            siluQ8 = scratch("siluQ8", DType.Q8_0, (long) maxTokens * shape.topK() * shape.inter());
        }
        try (var s = profiler.stage(layer, BLOCK, QUANTIZE_Q8_DOWN)) {
            backend.quantizeQ8(silu, siluQ8, pairs, shape.inter());
        }
        return siluQ8;
    }

    /** Routing of the last call, read back from the device (waits); probs from the router logits when asked. */
    public LayerRouting lastRouting(int layer, boolean withProbs) {
        checkOpen();
        if (lastTokens == 0) {
            throw new IllegalStateException("no MoE call has run yet");
        }
        int t = lastTokens;
        int k = shape.topK();
        int e = shape.experts();
        int[] hostIds = backend.readInts(ids, 0, t * k);
        float[] hostWeights = backend.readFloats(weights, 0, t * k);
        float[] probs = withProbs ? Router.probabilities(backend.readFloats(logits, 0, t * e), t, e) : null;
        return new LayerRouting(layer, t, k, e, hostIds, hostWeights, probs);
    }

    /** The router logits {@code [E]} of row {@code row} of the last call, read back from the device (waits). */
    public float[] readLogits(int row) {
        checkOpen();
        if (row < 0 || row >= lastTokens) {
            throw new IllegalArgumentException("row must be in [0, " + lastTokens + "), got " + row);
        }
        return backend.readFloats(logits, (long) row * shape.experts(), shape.experts());
    }

    /** Row tiles the last prefill's gate GEMM grid launched (direct vs indirect grids differ). */
    public long lastGemmTiles() {
        return lastGemmTiles;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DeviceBuffer b : owned) {
            b.close();
        }
        owned.clear();
        inputQ8 = null;
        siluQ8 = null;
    }

    // ---------------------------------------------------------------- argument checks

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("MoeBlock is closed");
        }
    }

    private void checkCall(MoeLayerWeights w, DeviceBuffer x, int tokens, MoeOptions options, Profiler profiler) {
        checkOpen();
        if (tokens <= 0 || tokens > maxTokens) {
            throw new IllegalArgumentException("tokens must be in [1, maxTokens=" + maxTokens + "], got " + tokens);
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null");
        }
        if (profiler == null) {
            throw new IllegalArgumentException("profiler must not be null (use Profiler.OFF)");
        }
        if (w == null) {
            throw new IllegalArgumentException("w must not be null");
        }
        long h = shape.hidden();
        long inter = shape.inter();
        long e = shape.experts();
        checkWeight("w.router", w.router(), e * h, "experts * hidden");
        checkWeight("w.gate", w.gate(), e * inter * h, "experts * inter * hidden");
        checkWeight("w.up", w.up(), e * inter * h, "experts * inter * hidden");
        checkWeight("w.down", w.down(), e * h * inter, "experts * hidden * inter");
        checkActivation("x", x, tokens * h);
    }

    private static void checkWeight(String param, DeviceBuffer b, long expected, String shape) {
        if (b == null) {
            throw new IllegalArgumentException(param + " must not be null");
        }
        if (b.dtype() == DType.I32) {
            throw new IllegalArgumentException(param + ": buffer '" + b.name() + "' is I32, expected a float or"
                    + " quantized weight type");
        }
        if (b.length() != expected) {
            throw new IllegalArgumentException(param + ": buffer '" + b.name() + "' has " + b.length()
                    + " elements, expected " + shape + " = " + expected);
        }
    }

    private static void checkActivation(String param, DeviceBuffer b, long needed) {
        if (b == null) {
            throw new IllegalArgumentException(param + " must not be null");
        }
        if (b.dtype() != DType.F32) {
            throw new IllegalArgumentException(param + ": buffer '" + b.name() + "' is " + b.dtype() + ", expected F32");
        }
        if (b.length() < needed) {
            throw new IllegalArgumentException(param + ": buffer '" + b.name() + "' has " + b.length()
                    + " elements, needs " + needed);
        }
    }
}
