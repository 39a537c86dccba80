package org.moescope.engine.model;

import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeLayerWeights;

/**
 * Device weights of one decoder layer. Exactly one of {@code moe} and {@code mlp} is non-null.
 *
 * @param inputNorm {@code [hidden]} input_layernorm
 * @param postNorm  {@code [hidden]} post_attention_layernorm
 * @param q         {@code [heads * headDim, hidden]}
 * @param k         {@code [kvHeads * headDim, hidden]}
 * @param v         {@code [kvHeads * headDim, hidden]}
 * @param o         {@code [hidden, heads * headDim]}
 * @param qNorm     {@code [headDim]} per-head RMSNorm of queries
 * @param kNorm     {@code [headDim]} per-head RMSNorm of keys
 */
public record LayerWeights(DeviceBuffer inputNorm, DeviceBuffer postNorm, DeviceBuffer q, DeviceBuffer k,
                           DeviceBuffer v, DeviceBuffer o, DeviceBuffer qNorm, DeviceBuffer kNorm,
                           MoeLayerWeights moe, DenseMlpWeights mlp) {
    public boolean isMoe() {
        return moe != null;
    }
}
