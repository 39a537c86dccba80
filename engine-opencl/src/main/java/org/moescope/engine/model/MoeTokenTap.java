package org.moescope.engine.model;

import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.profile.LayerRouting;

/**
 * A one-shot read-back of one token's MoE block on one layer: armed on a {@link Transformer} for one call, it copies
 * the token's row of the block's input, the router logits, the routing and the block's output off the device around
 * that layer's MoE call. Unarmed (the normal case) the transformer does no extra work.
 */
public final class MoeTokenTap {
    private final int layer;
    private final int row;
    private float[] residualIn;   // [h]
    private float[] normedIn;     // [h]
    private float[] logits;       // [E]
    private float[] output;       // [h] the MoE output for the row
    private float[] residualOut;  // [h]
    private LayerRouting routing;

    public MoeTokenTap(int layer, int row) {
        if (layer < 0 || row < 0) {
            throw new IllegalArgumentException("layer and row must be >= 0, got layer " + layer + ", row " + row);
        }
        this.layer = layer;
        this.row = row;
    }

    boolean wants(int l) {
        return l == layer && routing == null;
    }

    /** Before the MoE call: the residual stream and the normed input of the row. */
    void before(Backend backend, DeviceBuffer residual, DeviceBuffer normed, int hidden, int rows) {
        if (row >= rows) {
            throw new IllegalArgumentException("row " + row + " is outside the step's " + rows + " rows");
        }
        residualIn = backend.readFloats(residual, (long) row * hidden, hidden);
        normedIn = backend.readFloats(normed, (long) row * hidden, hidden);
    }

    /**
     * After the MoE call: {@code out} is the block's output rows, or, when {@code fusedResidual} (decode), the residual
     * stream with the output already added, from which the output is recovered by subtraction.
     */
    void after(Backend backend, MoeBlock moe, DeviceBuffer out, boolean fusedResidual, int hidden) {
        routing = moe.lastRouting(layer, true);
        logits = moe.readLogits(row);
        float[] read = backend.readFloats(out, (long) row * hidden, hidden);
        output = new float[hidden];
        residualOut = new float[hidden];
        for (int i = 0; i < hidden; i++) {
            if (fusedResidual) {
                residualOut[i] = read[i];
                output[i] = read[i] - residualIn[i];
            } else {
                output[i] = read[i];
                residualOut[i] = residualIn[i] + read[i]; // the residual add kernel's own float sum
            }
        }
    }

    public int layer() {
        return layer;
    }

    public int row() {
        return row;
    }

    /** Whether the armed call has run. */
    public boolean fired() {
        return routing != null;
    }

    public float[] residualIn() {
        return residualIn;
    }

    public float[] normedIn() {
        return normedIn;
    }

    public float[] logits() {
        return logits;
    }

    public float[] output() {
        return output;
    }

    public float[] residualOut() {
        return residualOut;
    }

    public LayerRouting routing() {
        return routing;
    }
}
