package org.moescope.engine.model.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightLayout;
import org.moescope.engine.model.WeightSpec;

/** Small random Qwen3-MoE models written as GGUF files in float types, with the values each buffer must hold. */
final class RandomGguf {

    /** A small config: 2 layers, hidden 64, 4 heads of 16 (2 KV heads), 4 experts top-2 of 32, vocab 96. */
    static ModelConfig config(boolean tied) {
        return new ModelConfig(ModelConfig.MODEL_TYPE, 64, 2, 4, 2, 16, 32, 128, 4, 2, true, 1, List.of(), 1e-6f,
                10000f, 256, 96, tied, List.of(95), DType.F32);
    }

    /** What was written: the values of every layout buffer (rounded to its type), by key. */
    final Map<String, float[]> values = new LinkedHashMap<>();
    final Map<String, DType> types = new LinkedHashMap<>();
    final GgufWriter writer;

    private RandomGguf(GgufWriter writer) {
        this.writer = writer;
    }

    /** Every weight of {@code config}, each in a type drawn from {@code dtypes} (gate and up of a layer alike). */
    static RandomGguf of(ModelConfig config, long seed, DType... dtypes) {
        Random random = new Random(seed);
        RandomGguf out = new RandomGguf(GgufModelWriter.forModel(config, "random"));
        DType gateType = null;
        for (WeightSpec spec : WeightLayout.of(config)) {
            DType dtype = dtypes[random.nextInt(dtypes.length)];
            if (spec.key().endsWith("up_proj")) {
                dtype = gateType;
            }
            gateType = dtype;
            float[] v = new float[Math.toIntExact(spec.elements())];
            float scale = spec.isNorm() ? 0.5f : (float) (1 / Math.sqrt(spec.fanIn()));
            for (int i = 0; i < v.length; i++) {
                float u = random.nextFloat() * 2 - 1;
                v[i] = round(spec.isNorm() ? 1 + u * scale : u * scale, dtype);
            }
            out.values.put(spec.key(), v);
            out.types.put(spec.key(), dtype);
            ByteBuffer bytes = encode(v, dtype);
            GgufModelWriter.addWeight(out.writer, spec, dtype, ch -> {
                ByteBuffer b = bytes.duplicate();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            });
        }
        return out;
    }

    Path write(Path path) {
        writer.write(path);
        return path;
    }

    static float round(float v, DType dtype) {
        return switch (dtype) {
            case F16 -> Precision.f16ToFloat(Precision.floatToF16(v));
            case BF16 -> Precision.bf16ToFloat(Precision.floatToBf16(v));
            default -> v;
        };
    }

    static ByteBuffer encode(float[] v, DType dtype) {
        ByteBuffer b = ByteBuffer.allocate(v.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            switch (dtype) {
                case F32 -> b.putFloat(x);
                case F16 -> b.putShort(Precision.floatToF16(x));
                case BF16 -> b.putShort(Precision.floatToBf16(x));
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return b.flip();
    }
}
