package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeLayerWeights;
import org.moescope.engine.moe.MoeShape;

/**
 * Random MoE layer weights made on the device with {@link Backend#fillRandom} (no host copy, so a 1.2 GB BF16
 * layer costs no upload). Scales {@code 1/sqrt(fan-in)} keep activations of order one.
 */
final class SyntheticMoeLayers implements AutoCloseable {
    private final List<MoeLayerWeights> layers = new ArrayList<>();

    SyntheticMoeLayers(Backend backend, MoeShape shape, DType dtype, int count, long seed) {
        long h = shape.hidden();
        long inter = shape.inter();
        long e = shape.experts();
        float hiddenScale = (float) (1 / Math.sqrt(h));
        float interScale = (float) (1 / Math.sqrt(inter));
        List<DeviceBuffer> made = new ArrayList<>();
        try {
            for (int l = 0; l < count; l++) {
                long s = seed + 16L * l;
                String prefix = "bench.layer" + l + ".";
                DeviceBuffer router = filled(backend, made, prefix + "router", dtype, e * h, s, hiddenScale);
                DeviceBuffer gate = filled(backend, made, prefix + "gate", dtype, e * inter * h, s + 1, hiddenScale);
                DeviceBuffer up = filled(backend, made, prefix + "up", dtype, e * inter * h, s + 2, hiddenScale);
                DeviceBuffer down = filled(backend, made, prefix + "down", dtype, e * h * inter, s + 3, interScale);
                layers.add(new MoeLayerWeights(router, gate, up, down));
                backend.finish();
            }
        } catch (RuntimeException ex) {
            made.forEach(DeviceBuffer::close);
            layers.clear();
            throw ex;
        }
    }

    private static DeviceBuffer filled(Backend backend, List<DeviceBuffer> made, String name, DType dtype, long length,
                                       long seed, float scale) {
        DeviceBuffer b = backend.allocate(name, dtype, length);
        made.add(b);
        backend.fillRandom(b, seed, scale);
        return b;
    }

    MoeLayerWeights layer(int l) {
        return layers.get(l);
    }

    int count() {
        return layers.size();
    }

    @Override
    public void close() {
        layers.forEach(MoeLayerWeights::close);
        layers.clear();
    }
}
