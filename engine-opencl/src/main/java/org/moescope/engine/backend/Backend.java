package org.moescope.engine.backend;

import java.nio.ByteBuffer;

/**
 * The operations a Qwen3-MoE forward pass needs, on one device. The model and the MoE block see only this
 * interface; {@code JavaBackend} is the plain reference (test oracle, no-OpenCL fallback) and
 * {@code OpenClBackend} runs them as OpenCL kernels.
 *
 * <p>Conventions: all tensors are row-major; shapes are given as {@code [rows, cols]} in elements.
 * Activations are {@link DType#F32}; weight arguments ({@code w*}, the embedding table) may be F32, F16, BF16 or any
 * quantized {@link DType} and are converted inside the kernel, never expanded in memory; a quantized weight's rows
 * (its {@code in} width) are a multiple of its block. Integer tensors are {@link DType#I32}. Operations are enqueued in order
 * and may run asynchronously; {@link #readFloats}/{@link #readInts} and {@link #finish} wait.
 * Offsets and lengths are in elements. Unless said otherwise an output may not alias an input.
 * Every method checks its arguments and throws {@link IllegalArgumentException} naming the bad one.
 *
 * <p>MoE expert weights of one layer are stacked: gate and up {@code [E, inter, hidden]},
 * down {@code [E, hidden, inter]}. A "pair" is one (token, slot) of routing: pair {@code p = t * k + s}
 * for token {@code t} and top-k slot {@code s}.
 */
public interface Backend extends AutoCloseable {

    /** "java" or "opencl". */
    String kind();

    DeviceInfo device();

    // ---------------------------------------------------------------- memory

    /** Allocates {@code length} zeroed elements. Throws {@link DeviceMemoryException} naming the buffer when it fails. */
    DeviceBuffer allocate(String name, DType dtype, long length);

    /** Copies raw little-endian elements of {@code dst.dtype()} from {@code src} (position..limit) to {@code dst} at {@code dstOffset}. */
    void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src);

    /**
     * Whether {@link #wrapReadOnly} hands the host bytes to the device without copying them (a device that shares
     * host memory, such as an OpenCL CPU device): weights from a mapped model file then take no memory of their own.
     */
    default boolean sharesHostMemory() {
        return false;
    }

    /**
     * A weight buffer of {@code length} elements holding {@code bytes} (raw little-endian elements, a direct buffer such
     * as a mapped region of a model file), which nothing writes afterwards. Where the device {@link #sharesHostMemory()}
     * it reads {@code bytes} in place and keeps them reachable until closed; elsewhere it allocates and uploads.
     */
    default DeviceBuffer wrapReadOnly(String name, DType dtype, long length, ByteBuffer bytes) {
        DeviceBuffer buffer = allocate(name, dtype, length);
        try {
            upload(buffer, 0, bytes);
            return buffer;
        } catch (RuntimeException | Error e) {
            buffer.close();
            throw e;
        }
    }

    void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count);

    void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count);

    default void write(DeviceBuffer dst, float[] src) {
        write(dst, 0, src, 0, src.length);
    }

    default void write(DeviceBuffer dst, int[] src) {
        write(dst, 0, src, 0, src.length);
    }

    /**
     * Reads {@code count} elements (any float or quantized dtype, converted to float; quantized blocks dequantized
     * exactly as ggml does) starting at {@code offset}; waits for pending work. For a quantized buffer offset and count
     * are whole blocks.
     */
    float[] readFloats(DeviceBuffer src, long offset, int count);

    /**
     * The raw little-endian bytes of {@code count} elements from {@code offset} (whole blocks for a quantized buffer),
     * as stored: what {@link #upload} would write back. Waits for pending work.
     */
    ByteBuffer readBytes(DeviceBuffer src, long offset, long count);

    int[] readInts(DeviceBuffer src, long offset, int count);

    /**
     * Copies {@code count} elements between two buffers of the same dtype (F32, F16, BF16 or a quantized type, whose
     * offsets and count are then whole blocks), bit for bit; the ranges may not overlap within one buffer.
     */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count);

    /**
     * Fills {@code dst} (any float or quantized dtype) with deterministic pseudo-random values, identical on every
     * backend byte for byte. Float dtypes: element {@code i} is {@code (2 * u - 1) * scale} where
     * {@code u = (hash(i, seed) >>> 8) / 2^24} and {@code hash} is {@link SyntheticRandom#hash(long, long)}, then
     * rounded to the buffer's dtype. Quantized dtypes: valid blocks whose weights spread over about
     * {@code [-scale, scale]}, defined by {@link org.moescope.engine.backend.quant.RandomBlocks}: every byte {@code j}
     * of the buffer starts as byte {@code j & 3} of {@code hash(j >>> 2, seed)}, then each block's scale fields are
     * set from two F16 bit patterns computed once on the host ({@code RandomBlocks.scaleBits}) with integer
     * operations only (see that class for the per-type rules).
     */
    void fillRandom(DeviceBuffer dst, long seed, float scale);

    /**
     * Fills {@code dst} (any float or quantized dtype) with a constant; a quantized buffer gets, in every block, the
     * block ggml's reference quantizer makes of {@code blockElements} copies of the value
     * ({@code BlockQuantizer.quantize}).
     */
    void fill(DeviceBuffer dst, float value);

    /** Waits until every enqueued operation has finished. */
    void finish();

    // ---------------------------------------------------------------- timing

    /** Opens a timing window: operations enqueued until {@link #endTiming()} are timed. Windows do not nest. */
    void beginTiming();

    /** Closes the window; the interval resolves lazily (see {@link DeviceInterval}). */
    DeviceInterval endTiming();

    // ---------------------------------------------------------------- dense transformer ops

    /** out[t, :] = table[ids[t], :] for t < tokens; table {@code [vocab, hidden]} (any float dtype), ids {@code [tokens]}. */
    void embedding(DeviceBuffer table, DeviceBuffer ids, DeviceBuffer out, int tokens, int hidden, int vocab);

    /**
     * RMSNorm of each of {@code rows} rows of length {@code n}: out = x / sqrt(mean(x^2) + eps) * w.
     * w is {@code [n]} (any float dtype). {@code out} may alias {@code x}. Used for per-head q/k norm with rows = tokens*heads.
     */
    void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps);

    /**
     * The per-head q and k norms in place: {@code rmsNorm(q, qNorm, q, qRows, n, eps)} and
     * {@code rmsNorm(k, kNorm, k, kRows, n, eps)}, which a backend may do in one launch. q and k may not alias.
     */
    default void qkNorm(DeviceBuffer q, DeviceBuffer qNorm, int qRows, DeviceBuffer k, DeviceBuffer kNorm, int kRows,
                        int n, float eps) {
        rmsNorm(q, qNorm, q, qRows, n, eps);
        rmsNorm(k, kNorm, k, kRows, n, eps);
    }

    /** y[t, o] = sum_i x[t, i] * w[o, i]: x {@code [tokens, in]}, w {@code [out, in]} (any float dtype), y {@code [tokens, out]}. */
    void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out);

    /**
     * Three matmuls that share their input (the attention q, k and v projections): y_i = x · w_iᵀ with w_i
     * {@code [out_i, in]} and y_i {@code [tokens, out_i]}, the contract of three {@link #matmul} calls. A backend may
     * do them in one launch: on a CPU OpenCL device each launch costs tens of µs of scheduling, more than a small
     * model's projections themselves.
     */
    default void matmul3(DeviceBuffer x, int tokens, int in, DeviceBuffer w0, DeviceBuffer y0, int out0,
                         DeviceBuffer w1, DeviceBuffer y1, int out1, DeviceBuffer w2, DeviceBuffer y2, int out2) {
        matmul(x, w0, y0, tokens, in, out0);
        matmul(x, w1, y1, tokens, in, out1);
        matmul(x, w2, y2, tokens, in, out2);
    }

    /**
     * Rotary embedding in place, Hugging Face {@code rotate_half} layout: for each token t, head h, i < d/2 with
     * angle = positions[t] * theta^(-2i/d): (x[i], x[i+d/2]) -> (x[i]cos - x[i+d/2]sin, x[i+d/2]cos + x[i]sin).
     * x {@code [tokens, heads, headDim]}, positions {@code [tokens]} (I32).
     */
    void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta);

    /**
     * {@link #rope} of q {@code [tokens, heads, headDim]} and of k {@code [tokens, kvHeads, headDim]} with the same
     * positions: the contract of two rope calls, which a backend may do in one launch.
     */
    default void ropeQk(DeviceBuffer q, DeviceBuffer k, DeviceBuffer positions, int tokens, int heads, int kvHeads,
                        int headDim, float theta) {
        rope(q, positions, tokens, heads, headDim, theta);
        rope(k, positions, tokens, kvHeads, headDim, theta);
    }

    /**
     * Causal grouped-query attention of one sequence with a KV cache.
     * Writes k, v {@code [tokens, kvHeads * headDim]} into the caches {@code [capacity, kvHeads * headDim]} at rows
     * startPos..startPos+tokens-1, then for each token t (position startPos + t) and query head h attends over cache
     * rows 0..startPos+t with kv head h / (heads / kvHeads), scale 1/sqrt(headDim).
     * q {@code [tokens, heads * headDim]}, out {@code [tokens, heads * headDim]}.
     */
    void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                   DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim, int capacity);

    /**
     * {@link #attention} of the one token at row {@code row} of q, k, v and out (each {@code [rows, ...]}, a batch of
     * sequences), against that token's own sequence caches at position {@code startPos}: batched decode runs one per
     * sequence without copying its rows out and back.
     */
    void attentionAtRow(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                        DeviceBuffer out, int row, int startPos, int heads, int kvHeads, int headDim, int capacity);

    /** out = a + b over n elements; out may alias a or b. */
    void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n);

    /**
     * residual += delta, then normed = RMSNorm(residual) * w per row of length n: the contract of {@link #add} and
     * {@link #rmsNorm}, which a backend may do in one launch. normed may not alias residual or delta.
     */
    default void addRmsNorm(DeviceBuffer residual, DeviceBuffer delta, DeviceBuffer w, DeviceBuffer normed, int rows,
                            int n, float eps) {
        add(residual, delta, residual, rows * n);
        rmsNorm(residual, w, normed, rows, n, eps);
    }

    /** out[i] = silu(gate[i]) * up[i] over n elements, silu(x) = x / (1 + exp(-x)). */
    void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n);

    // ---------------------------------------------------------------- MoE ops (see moe_forward.rs)

    /**
     * Router: per token, softmax over {@code experts} logits in F32, top-k by repeated argmax with ties to the lower
     * expert index, weights = the top-k probabilities, divided by their sum when {@code normTopk}.
     * logits {@code [tokens, experts]}, ids {@code [tokens, k]} (I32, descending probability), weights {@code [tokens, k]}.
     */
    void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k, boolean normTopk);

    /**
     * Builds on the device the prefill dispatch of {@code pairs = tokens * k} routed pairs:
     * counts {@code [experts]} tokens per expert; offsets {@code [experts + 1]} exclusive prefix sum of counts;
     * sortedPairs {@code [pairs]} pair ids grouped by expert (ascending pair id within an expert);
     * workList {@code [2 * maxTiles + 1]}: element 0 = number of tiles n, then n entries (expert, firstRow) for every
     * tile of {@code tileRows} rows of every non-empty expert, where maxTiles = {@link DispatchPlan#maxTiles}.
     */
    void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets, DeviceBuffer sortedPairs,
                       DeviceBuffer workList, int tokens, int experts, int k, int tileRows);

    /**
     * Grouped GEMM over the pairs of each expert: for every expert e and every pair p in
     * sortedPairs[offsets[e] .. offsets[e+1]), out[p, :] = w[e] · x[p / xRowDivisor, :].
     * x {@code [pairs / xRowDivisor, in]}; w {@code [experts, out, in]}; out {@code [pairs, out]}.
     * Indirect dispatch ({@code workList != null}): the grid covers {@link DispatchPlan#maxTiles} row tiles and each
     * work-group takes (expert, firstRow) from the list, exiting when its index is past the count.
     * Direct dispatch ({@code workList == null}): the grid covers experts x ceil(maxPerExpert / tileRows) row tiles;
     * tiles past an expert's count exit early. Returns the number of row tiles the grid launched (for reports and tests).
     */
    long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                     DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                     int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert);

    /** Row tile height the grouped GEMM uses on this device (the work list is built for it). */
    int groupedGemmTileRows();

    /**
     * Pair-indexed expert GEMV, no bucketing: for p < pairs, out[p, :] = w[ids[p]] · x[p / xRowDivisor, :].
     * ids {@code [pairs]}; w {@code [experts, out, in]}.
     */
    void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                    int pairs, int experts, int inDim, int outDim);

    /**
     * Fused gate+up+SiLU GEMV: out[p, :] = silu(wGate[ids[p]] · x[p / xRowDivisor]) * (wUp[ids[p]] · x[p / xRowDivisor]).
     * out {@code [pairs, inter]}.
     */
    void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp, DeviceBuffer ids,
                          DeviceBuffer out, int pairs, int experts, int hidden, int inter);

    /**
     * Quantizes each of {@code rows} F32 rows of length {@code n} (a multiple of 32) into Q8_0 blocks, as ggml's
     * {@code quantize_row_q8_0}: per 32 values d = max|x| / 127, q = round(x / d). {@code xq} is a {@link DType#Q8_0}
     * buffer of at least {@code rows * n} elements. The expert GEMVs and grouped GEMMs accept such a buffer as their
     * {@code x} when their weights are quantized: they then take integer dot products per block (the "Q8
     * activations" switch of {@code MoeOptions}).
     */
    void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n);

    /** out[t, :] = sum_s weights[t, s] * down[t * k + s, :]; down {@code [tokens * k, hidden]}, out {@code [tokens, hidden]}. */
    void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden);

    /**
     * residual[t, :] += sum_s weights[t, s] * down[t * k + s, :]; then, when {@code nextNorm != null},
     * normOut[t, :] = rmsNorm(residual[t, :]) * nextNorm (the next layer's input norm, fused).
     */
    void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual, DeviceBuffer nextNorm,
                             DeviceBuffer normOut, int tokens, int k, int hidden, float eps);

    @Override
    void close();
}
