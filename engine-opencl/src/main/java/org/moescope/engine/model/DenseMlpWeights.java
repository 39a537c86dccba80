package org.moescope.engine.model;

import org.moescope.engine.backend.DeviceBuffer;

/**
 * A dense SwiGLU MLP (the non-MoE layers): down(silu(gate x) * up x).
 *
 * @param gate {@code [intermediate, hidden]}
 * @param up   {@code [intermediate, hidden]}
 * @param down {@code [hidden, intermediate]}
 */
public record DenseMlpWeights(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer down) {
}
