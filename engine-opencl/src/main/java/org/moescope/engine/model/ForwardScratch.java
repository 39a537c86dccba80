package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * Activation buffers of a forward pass for up to {@link #rows()} tokens, allocated once and reused by every step
 * (the transformer replaces it with a larger one only when a longer prompt arrives). All F32 except ids/positions.
 */
final class ForwardScratch implements AutoCloseable {

    private final int rows;
    private final List<DeviceBuffer> all = new ArrayList<>();

    final DeviceBuffer residual;  // [rows, hidden] the residual stream x
    final DeviceBuffer normed;    // [rows, hidden] RMSNorm(x), the input of attention / FFN
    final DeviceBuffer q;         // [rows, heads * headDim]
    final DeviceBuffer k;         // [rows, kvHeads * headDim]
    final DeviceBuffer v;         // [rows, kvHeads * headDim]
    final DeviceBuffer attn;      // [rows, heads * headDim] attention output before o_proj
    final DeviceBuffer ffnOut;    // [rows, hidden] o_proj / MoE / MLP output before the residual add
    final DeviceBuffer mlpGate;   // [rows, intermediate] dense MLP gate (1 element when the model has no dense layer)
    final DeviceBuffer mlpUp;     // [rows, intermediate] dense MLP up
    final DeviceBuffer mlpAct;    // [rows, intermediate] silu(gate) * up
    final DeviceBuffer ids;       // [rows] I32 token ids
    final DeviceBuffer positions; // [rows] I32 position of each row in its sequence
    final DeviceBuffer lastNormed; // [1, hidden] the last row of normed (prefill logits of the last token only)

    ForwardScratch(Backend backend, ModelConfig c, int rows) {
        this.rows = rows;
        boolean dense = false;
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            dense |= !c.isMoeLayer(l);
        }
        long r = rows;
        long inter = dense ? r * c.intermediateSize() : 1;
        try {
            residual = alloc(backend, "scratch.residual", DType.F32, r * c.hiddenSize());
            normed = alloc(backend, "scratch.normed", DType.F32, r * c.hiddenSize());
            q = alloc(backend, "scratch.q", DType.F32, r * c.qDim());
            k = alloc(backend, "scratch.k", DType.F32, r * c.kvDim());
            v = alloc(backend, "scratch.v", DType.F32, r * c.kvDim());
            attn = alloc(backend, "scratch.attn", DType.F32, r * c.qDim());
            ffnOut = alloc(backend, "scratch.ffn_out", DType.F32, r * c.hiddenSize());
            mlpGate = alloc(backend, "scratch.mlp_gate", DType.F32, inter);
            mlpUp = alloc(backend, "scratch.mlp_up", DType.F32, inter);
            mlpAct = alloc(backend, "scratch.mlp_act", DType.F32, inter);
            ids = alloc(backend, "scratch.ids", DType.I32, r);
            positions = alloc(backend, "scratch.positions", DType.I32, r);
            lastNormed = alloc(backend, "scratch.last_normed", DType.F32, c.hiddenSize());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private DeviceBuffer alloc(Backend backend, String name, DType dtype, long length) {
        DeviceBuffer b = backend.allocate(name, dtype, length);
        all.add(b);
        return b;
    }

    int rows() {
        return rows;
    }

    @Override
    public void close() {
        all.forEach(DeviceBuffer::close);
        all.clear();
    }
}
