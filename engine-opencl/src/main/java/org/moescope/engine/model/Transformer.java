package org.moescope.engine.model;

import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.moe.MoeLayerWeights;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Profiler;

/**
 * The Qwen3-MoE forward pass over a {@link Backend}: prefill (T tokens of one sequence), decode (one token) and
 * batched decode (one token of each of B sequences, each with its own {@link KvCache}).
 *
 * <p>Per layer: RMSNorm → q/k/v projections → per-head q/k RMSNorm → rotary embedding → causal GQA attention with the
 * KV cache → o_proj → residual add → RMSNorm → MoE block (or dense SwiGLU MLP) → residual add. Then the final RMSNorm
 * and lm_head. Decode fuses the MoE residual add with the next layer's input RMSNorm (or the final norm).
 *
 * <p>Profiler stages (block "attention"): input_norm, qkv, qk_norm, rope, attn, o_proj, residual (the residual add
 * together with the post-attention RMSNorm); block "moe": the MoE block's own stages plus residual (prefill and
 * batched decode add the MoE output to the residual stream here; decode fuses it into wsum); block "mlp" for dense
 * layers: gate, up, silu, down, residual; layer -1 block "model": embed, final_norm, lm_head. In decode a layer
 * that follows a MoE layer has no input_norm stage (the MoE "wsum" stage computed it), and final_norm is absent
 * when the last layer is a MoE layer.
 *
 * <p>Routing capture: when {@code routing != null} each MoE layer's {@link MoeBlock#lastRouting} (with probabilities)
 * is appended to it; this waits for the device once per MoE layer.
 */
@SuppressWarnings("try") // profiler scopes only time the work in their body and are never referenced
public final class Transformer implements AutoCloseable {

    private final Backend backend;
    private final ModelConfig config;
    private final ModelWeights weights;
    private ForwardScratch scratch;  // activations for up to scratch.rows() tokens
    private MoeBlock moe;            // shared by all MoE layers; null when the model has none
    private DeviceBuffer logits;     // [logitRows, vocab]
    private int logitRows;
    private MoeTokenTap tap;         // null unless one token's MoE block is being traced

    public Transformer(Backend backend, ModelConfig config, ModelWeights weights, int rows) {
        this.backend = backend;
        this.config = config;
        this.weights = weights;
        try {
            ensureRows(Math.max(1, rows));
            ensureLogitRows(1);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Backend backend() {
        return backend;
    }

    /** Arms (or, with null, disarms) a read-back of one token's MoE block in the calls that follow. */
    public void setTap(MoeTokenTap tap) {
        this.tap = tap;
    }

    // ---------------------------------------------------------------- the three paths

    /**
     * Runs {@code tokens} of one sequence at positions {@code cache.length() ..}, writing their keys and values into
     * {@code cache}. Returns logits {@code [T, vocab]} when {@code allLogits}, else those of the last token {@code [vocab]}.
     */
    public float[] prefill(int[] tokens, KvCache cache, boolean allLogits, MoeOptions options, Profiler profiler,
                           List<LayerRouting> routing) {
        int t = tokens.length;
        checkTokens(tokens);
        if (t > cache.remaining()) {
            throw new IllegalArgumentException("tokens: " + t + " tokens do not fit the KV cache (" + cache.remaining()
                    + " of " + cache.capacity() + " positions left)");
        }
        ensureRows(t);
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) {
            positions[i] = cache.length() + i;
        }
        embed(tokens, positions, profiler);
        layersOverRows(t, new KvCache[] {cache}, positions, profiler, routing,
                (moeWeights, l) -> moe.prefill(moeWeights, scratch.normed, scratch.ffnOut, t, options, profiler, l));
        cache.advance(t);
        if (allLogits) {
            return lmHead(scratch.normed, t, profiler);
        }
        backend.copy(scratch.normed, (long) (t - 1) * config.hiddenSize(), scratch.lastNormed, 0, config.hiddenSize());
        return lmHead(scratch.lastNormed, 1, profiler);
    }

    /** One token of one sequence at position {@code cache.length()}; returns its logits {@code [vocab]}. */
    public float[] decode(int token, KvCache cache, MoeOptions options, Profiler profiler, List<LayerRouting> routing) {
        int[] tokens = {token};
        checkTokens(tokens);
        if (cache.remaining() < 1) {
            throw new IllegalArgumentException("the KV cache is full (" + cache.capacity() + " positions)");
        }
        int[] positions = {cache.length()};
        KvCache[] caches = {cache};
        embed(tokens, positions, profiler);
        boolean normedReady = false; // true when the previous MoE layer already wrote this layer's normed input
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            if (!normedReady) {
                inputNorm(l, w, 1, profiler);
            }
            attentionBlock(l, w, 1, caches, positions, profiler);
            if (w.isMoe()) {
                boolean last = l == config.numHiddenLayers() - 1;
                DeviceBuffer nextNorm = last ? weights.finalNorm() : weights.layers().get(l + 1).inputNorm();
                tapBefore(l, 1);
                moe.decode(w.moe(), scratch.normed, scratch.residual, nextNorm, scratch.normed, config.rmsNormEps(),
                        options, profiler, l);
                tapAfter(l, scratch.residual, true);
                captureRouting(l, routing);
                normedReady = true;
            } else {
                denseMlp(l, w, 1, profiler);
                normedReady = false;
            }
        }
        if (!normedReady) {
            finalNorm(1, profiler);
        }
        cache.advance(1);
        return lmHead(scratch.normed, 1, profiler);
    }

    /**
     * One token for each of B sequences: {@code tokens[b]} at position {@code caches[b].length()}. Projections, MoE
     * and lm_head run batched over the B rows; attention runs per sequence against its own cache.
     * Returns logits {@code [B, vocab]}.
     */
    public float[] batchedDecode(int[] tokens, KvCache[] caches, MoeOptions options, Profiler profiler,
                                 List<LayerRouting> routing) {
        int b = tokens.length;
        checkTokens(tokens);
        if (caches.length != b) {
            throw new IllegalArgumentException("caches: " + caches.length + " caches for " + b + " tokens");
        }
        int[] positions = new int[b];
        for (int s = 0; s < b; s++) {
            if (caches[s].remaining() < 1) {
                throw new IllegalArgumentException("caches[" + s + "]: the KV cache is full (" + caches[s].capacity() + ")");
            }
            positions[s] = caches[s].length();
        }
        ensureRows(b);
        embed(tokens, positions, profiler);
        layersOverRows(b, caches, positions, profiler, routing,
                (moeWeights, l) -> moe.batchedDecode(moeWeights, scratch.normed, scratch.ffnOut, b, options, profiler, l));
        for (KvCache c : caches) {
            c.advance(1);
        }
        return lmHead(scratch.normed, b, profiler);
    }

    /** One path's MoE block on the layer's normed rows, writing scratch.ffnOut (prefill or batched decode). */
    @FunctionalInterface
    private interface MoeOverRows {
        void run(MoeLayerWeights weights, int layer);
    }

    /**
     * Every layer over {@code rows} rows, then the final norm: the layer loop of prefill and batched decode, which
     * differ only in their MoE path and in whose caches the rows attend to. (Decode fuses the residual add and the next
     * norm into the MoE block instead, so it has its own loop.)
     */
    private void layersOverRows(int rows, KvCache[] caches, int[] positions, Profiler profiler,
                                List<LayerRouting> routing, MoeOverRows moeOverRows) {
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            inputNorm(l, w, rows, profiler);
            attentionBlock(l, w, rows, caches, positions, profiler);
            if (w.isMoe()) {
                tapBefore(l, rows);
                moeOverRows.run(w.moe(), l);
                tapAfter(l, scratch.ffnOut, false);
                captureRouting(l, routing);
                residualAdd(l, "moe", rows, profiler);
            } else {
                denseMlp(l, w, rows, profiler);
            }
        }
        finalNorm(rows, profiler);
    }

    /**
     * Runs each path once with each kernel switch flipped (tokens 0..2, results dropped), so that a backend that
     * compiles kernels on first use has done so before anything is timed: otherwise the first profiled step would
     * show compile time as kernel time. Leaves no state behind but a scratch of at least 2 rows. The caches are F32.
     */
    public void warmUp() {
        warmUp(DType.F32);
    }

    /** {@link #warmUp()} with KV caches of {@code cacheType}, whose attention kernels are built for that type. */
    public void warmUp(DType cacheType) {
        List<MoeOptions> variants = List.of(MoeOptions.DEFAULT, MoeOptions.DEFAULT.withFusedGateUpSilu(false),
                MoeOptions.DEFAULT.withHostTopk(true), MoeOptions.DEFAULT.withDirectDispatch(true));
        int[] two = {0, Math.min(1, config.vocabSize() - 1)};
        try (KvCache a = new KvCache(backend, config, 3, "warmup.a", cacheType);
             KvCache b = new KvCache(backend, config, 3, "warmup.b", cacheType)) {
            for (MoeOptions options : variants) {
                a.clear();
                b.clear();
                prefill(two, a, false, options, Profiler.OFF, null);
                prefill(new int[] {0}, b, false, options, Profiler.OFF, null);
                decode(0, b, options, Profiler.OFF, null);
                batchedDecode(two, new KvCache[] {a, b}, options, Profiler.OFF, null);
            }
        }
        backend.finish();
    }

    // ---------------------------------------------------------------- steps

    /** residual [rows, h] = embed_tokens[ids]; also uploads the positions. */
    private void embed(int[] tokens, int[] positions, Profiler profiler) {
        backend.write(scratch.ids, 0, tokens, 0, tokens.length);
        backend.write(scratch.positions, 0, positions, 0, positions.length);
        try (var s = profiler.stage(-1, "model", "embed")) {
            backend.embedding(weights.embed(), scratch.ids, scratch.residual, tokens.length, config.hiddenSize(),
                    config.vocabSize());
        }
    }

    /** normed = RMSNorm(residual) * input_layernorm. */
    private void inputNorm(int l, LayerWeights w, int rows, Profiler profiler) {
        try (var s = profiler.stage(l, "attention", "input_norm")) {
            backend.rmsNorm(scratch.residual, w.inputNorm(), scratch.normed, rows, config.hiddenSize(), config.rmsNormEps());
        }
    }

    /**
     * Attention sub-block: from normed [rows, h] to residual += o_proj(attention), then normed = post-attention norm.
     * One cache: rows consecutive tokens of that sequence; B caches: row b is sequence b's one token.
     */
    private void attentionBlock(int l, LayerWeights w, int rows, KvCache[] caches, int[] positions, Profiler profiler) {
        int h = config.hiddenSize();
        int hd = config.headDim();
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        float eps = config.rmsNormEps();
        try (var s = profiler.stage(l, "attention", "qkv")) {
            backend.matmul3(scratch.normed, rows, h, w.q(), scratch.q, config.qDim(), w.k(), scratch.k,
                    config.kvDim(), w.v(), scratch.v, config.kvDim());
        }
        try (var s = profiler.stage(l, "attention", "qk_norm")) {
            backend.qkNorm(scratch.q, w.qNorm(), rows * heads, scratch.k, w.kNorm(), rows * kvHeads, hd, eps);
        }
        try (var s = profiler.stage(l, "attention", "rope")) {
            backend.ropeQk(scratch.q, scratch.k, scratch.positions, rows, heads, kvHeads, hd, config.ropeTheta());
        }
        try (var s = profiler.stage(l, "attention", "attn")) {
            if (caches.length == 1) {
                KvCache c = caches[0];
                backend.attention(scratch.q, scratch.k, scratch.v, c.keys(l), c.values(l), scratch.attn, rows,
                        positions[0], heads, kvHeads, hd, c.capacity());
            } else {
                attentionPerSequence(l, caches, positions);
            }
        }
        try (var s = profiler.stage(l, "attention", "o_proj")) {
            backend.matmul(scratch.attn, w.o(), scratch.ffnOut, rows, config.qDim(), h);
        }
        try (var s = profiler.stage(l, "attention", "residual")) {
            backend.addRmsNorm(scratch.residual, scratch.ffnOut, w.postNorm(), scratch.normed, rows, h, eps);
        }
    }

    /** Batched decode: row b of q/k/v attends over sequence b's cache, in place (attentionAtRow). */
    private void attentionPerSequence(int l, KvCache[] caches, int[] positions) {
        for (int b = 0; b < caches.length; b++) {
            KvCache c = caches[b];
            backend.attentionAtRow(scratch.q, scratch.k, scratch.v, c.keys(l), c.values(l), scratch.attn, b,
                    positions[b], config.numAttentionHeads(), config.numKeyValueHeads(), config.headDim(), c.capacity());
        }
    }

    /** residual += ffnOut (the MoE output of prefill / batched decode). */
    private void residualAdd(int l, String block, int rows, Profiler profiler) {
        try (var s = profiler.stage(l, block, "residual")) {
            backend.add(scratch.residual, scratch.ffnOut, scratch.residual, rows * config.hiddenSize());
        }
    }

    /** Dense SwiGLU MLP: residual += down(silu(gate · normed) * (up · normed)). */
    private void denseMlp(int l, LayerWeights w, int rows, Profiler profiler) {
        int h = config.hiddenSize();
        int inter = config.intermediateSize();
        try (var s = profiler.stage(l, "mlp", "gate")) {
            backend.matmul(scratch.normed, w.mlp().gate(), scratch.mlpGate, rows, h, inter);
        }
        try (var s = profiler.stage(l, "mlp", "up")) {
            backend.matmul(scratch.normed, w.mlp().up(), scratch.mlpUp, rows, h, inter);
        }
        try (var s = profiler.stage(l, "mlp", "silu")) {
            backend.siluMul(scratch.mlpGate, scratch.mlpUp, scratch.mlpAct, rows * inter);
        }
        try (var s = profiler.stage(l, "mlp", "down")) {
            backend.matmul(scratch.mlpAct, w.mlp().down(), scratch.ffnOut, rows, inter, h);
        }
        residualAdd(l, "mlp", rows, profiler);
    }

    private void finalNorm(int rows, Profiler profiler) {
        try (var s = profiler.stage(-1, "model", "final_norm")) {
            backend.rmsNorm(scratch.residual, weights.finalNorm(), scratch.normed, rows, config.hiddenSize(),
                    config.rmsNormEps());
        }
    }

    /** logits [rows, vocab] = x [rows, h] · lm_head^T, read back to the host. */
    private float[] lmHead(DeviceBuffer x, int rows, Profiler profiler) {
        ensureLogitRows(rows);
        try (var s = profiler.stage(-1, "model", "lm_head")) {
            backend.matmul(x, weights.lmHead(), logits, rows, config.hiddenSize(), config.vocabSize());
        }
        return backend.readFloats(logits, 0, rows * config.vocabSize());
    }

    private void tapBefore(int l, int rows) {
        if (tap != null && tap.wants(l)) {
            tap.before(backend, scratch.residual, scratch.normed, config.hiddenSize(), rows);
        }
    }

    private void tapAfter(int l, DeviceBuffer out, boolean fusedResidual) {
        if (tap != null && tap.wants(l)) {
            tap.after(backend, moe, out, fusedResidual, config.hiddenSize());
        }
    }

    private void captureRouting(int layer, List<LayerRouting> routing) {
        if (routing != null) {
            routing.add(moe.lastRouting(layer, true));
        }
    }

    private void checkTokens(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokens: empty (at least one token is needed)");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("tokens[" + i + "] = " + tokens[i] + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    // ---------------------------------------------------------------- scratch

    /** Makes the scratch and the MoE block hold at least {@code rows} tokens (grows only). */
    public void ensureRows(int rows) {
        if (scratch != null && scratch.rows() >= rows) {
            return;
        }
        if (scratch != null) {
            scratch.close();
            scratch = null;
        }
        if (moe != null) {
            moe.close();
            moe = null;
        }
        try {
            scratch = new ForwardScratch(backend, config, rows);
            if (config.hasMoeLayers()) {
                moe = new MoeBlock(backend, config.moeShape(), rows);
            }
        } catch (RuntimeException e) {
            if (scratch != null) {
                scratch.close();
                scratch = null;
            }
            throw e;
        }
    }

    private void ensureLogitRows(int rows) {
        if (logits != null && logitRows >= rows) {
            return;
        }
        if (logits != null) {
            logits.close();
            logits = null;
        }
        logits = backend.allocate("scratch.logits", DType.F32, (long) rows * config.vocabSize());
        logitRows = rows;
    }

    /** Rows the scratch holds now. */
    public int rows() {
        return scratch == null ? 0 : scratch.rows();
    }

    /** Closes scratch, the MoE block and the logits; the weights belong to the caller. */
    @Override
    public void close() {
        if (scratch != null) {
            scratch.close();
            scratch = null;
        }
        if (moe != null) {
            moe.close();
            moe = null;
        }
        if (logits != null) {
            logits.close();
            logits = null;
        }
    }
}
