package org.moescope.engine.model;

import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * Random weights made on the device with {@link Backend#fillRandom}: identical on every backend, no host copy. Each
 * buffer's type comes from {@link WeightTypePlan} (a quantized preset keeps norms and router in F32).
 * Matrices are uniform in {@code ±1/sqrt(fanIn)} so activations keep their scale through the layers; norm weights
 * are ones. Each buffer's seed is derived from the model seed and the buffer's position in the layout.
 */
public final class SyntheticWeights {

    private SyntheticWeights() {
    }

    public static ModelWeights create(ModelConfig config, DType dtype, long seed, Backend backend, LoadProgress progress) {
        if (dtype == null || !dtype.isWeightType()) {
            throw new IllegalArgumentException("dtype: synthetic weights need a weight type (F32, F16, BF16 or a "
                    + "quantized type), got " + dtype);
        }
        List<WeightSpec> specs = WeightLayout.of(config);
        return WeightAllocation.build(backend, config, specs, s -> WeightTypePlan.typeOf(s, dtype),
                (index, spec, buffer) -> fillTensor(backend, spec, index, buffer, seed), progress);
    }

    /** Fills the buffer of layout entry {@code index} ({@code spec}) with the model's values for {@code seed}. */
    public static void fillTensor(Backend backend, WeightSpec spec, int index, DeviceBuffer buffer, long seed) {
        if (spec.isNorm()) {
            backend.fill(buffer, 1.0f);
        } else {
            long tensorSeed = seed * 0x9E3779B97F4A7C15L + index + 1;
            backend.fillRandom(buffer, tensorSeed, (float) (1.0 / Math.sqrt(spec.fanIn())));
        }
    }
}
