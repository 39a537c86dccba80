package org.moescope.engine.moe;

import org.moescope.engine.backend.DeviceBuffer;

/**
 * Device weights of one MoE layer, experts stacked.
 *
 * @param router {@code [experts, hidden]} (mlp.gate.weight)
 * @param gate   {@code [experts, inter, hidden]}
 * @param up     {@code [experts, inter, hidden]}
 * @param down   {@code [experts, hidden, inter]}
 */
public record MoeLayerWeights(DeviceBuffer router, DeviceBuffer gate, DeviceBuffer up, DeviceBuffer down)
        implements AutoCloseable {
    @Override
    public void close() {
        router.close();
        gate.close();
        up.close();
        down.close();
    }
}
