package org.moescope.engine.model;

import org.moescope.engine.backend.DType;

/**
 * The stored type of each weight buffer when a whole model is made (synthetic presets) or written (GGUF conversion)
 * in one requested type. Float types apply to every buffer. A quantized type follows llama.cpp's conventions: norms
 * and the router stay F32 (they are tiny and precision-sensitive), and a matrix whose rows are not a whole number of
 * the type's blocks falls back to Q8_0 when its rows are whole 32-blocks, else to F16.
 */
public final class WeightTypePlan {

    private WeightTypePlan() {
    }

    public static DType typeOf(WeightSpec spec, DType requested) {
        if (requested == null || !requested.isWeightType()) {
            throw new IllegalArgumentException("requested must be a weight type, got " + requested);
        }
        if (!requested.isQuantized()) {
            return requested;
        }
        if (spec.isNorm() || "router".equals(spec.group())) {
            return DType.F32;
        }
        long rowWidth = spec.shape()[spec.shape().length - 1];
        if (rowWidth % requested.blockElements() == 0) {
            return requested;
        }
        return rowWidth % DType.Q8_0.blockElements() == 0 ? DType.Q8_0 : DType.F16;
    }
}
