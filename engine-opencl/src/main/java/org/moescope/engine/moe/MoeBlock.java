package org.moescope.engine.moe;

import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Profiler;

/**
 * The MoE block of moe_forward.rs: its three paths (decode, prefill, batched decode) over any {@link Backend}.
 * Scratch buffers are allocated once for up to {@code maxTokens} tokens and shared by all layers.
 */
public final class MoeBlock implements AutoCloseable {

    public MoeBlock(Backend backend, MoeShape shape, int maxTokens) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    public MoeShape shape() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Largest T (prefill) or B (batched decode) the scratch holds. */
    public int maxTokens() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /**
     * Decode of one token: router → route → fused gate+up+SiLU (or gate, up, silu) → down → weighted sum added to
     * {@code residual [1, h]}, fused with the next layer's RMSNorm into {@code normOut} when {@code nextNorm != null}.
     * {@code x [1, h]} is the normed input; it may be the same buffer as {@code normOut}.
     */
    public void decode(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer residual, DeviceBuffer nextNorm,
                       DeviceBuffer normOut, float eps, MoeOptions options, Profiler profiler, int layer) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Prefill of T tokens: {@code out [T, h] = moe(x [T, h])} (not added to the residual). */
    public void prefill(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer out, int tokens, MoeOptions options,
                        Profiler profiler, int layer) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Batched decode of B sequences, one token each: {@code out [B, h] = moe(x [B, h])} with pair-indexed GEMVs. */
    public void batchedDecode(MoeLayerWeights w, DeviceBuffer x, DeviceBuffer out, int batch, MoeOptions options,
                              Profiler profiler, int layer) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Routing of the last call, read back from the device (waits); probs from the router logits when asked. */
    public LayerRouting lastRouting(int layer, boolean withProbs) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Row tiles the last prefill's gate GEMM grid launched (direct vs indirect grids differ). */
    public long lastGemmTiles() {
        throw new UnsupportedOperationException("not implemented yet");
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}
