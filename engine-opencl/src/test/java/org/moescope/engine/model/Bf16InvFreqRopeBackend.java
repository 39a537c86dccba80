package org.moescope.engine.model;

import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;

/**
 * Rotary embedding exactly as the hf-qwen3moe-tiny reference computed it: transformers' inverse frequencies rounded
 * to BF16 (the model was cast to BF16 before saving, which casts the inv_freq buffer too, and {@code .float()} does
 * not recompute it), then angles, cos and sin in F32. Runs on the host; every other operation is the wrapped
 * backend's. Lets {@link HfReferenceTest} hold everything else to the strict tolerance.
 */
final class Bf16InvFreqRopeBackend extends ForwardingBackend {

    Bf16InvFreqRopeBackend(Backend inner) {
        super(inner);
    }

    @Override
    public void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        int n = tokens * heads * headDim;
        float[] v = inner.readFloats(x, 0, n);
        int[] pos = inner.readInts(positions, 0, tokens);
        int half = headDim / 2;
        for (int i = 0; i < half; i++) {
            float invFreq = Precision.roundTo(DType.BF16, (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim)));
            for (int t = 0; t < tokens; t++) {
                float angle = pos[t] * invFreq;
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                for (int h = 0; h < heads; h++) {
                    int base = (t * heads + h) * headDim;
                    float a = v[base + i];
                    float b = v[base + i + half];
                    v[base + i] = a * cos - b * sin;
                    v[base + i + half] = b * cos + a * sin;
                }
            }
        }
        inner.write(x, 0, v, 0, n);
    }
}
