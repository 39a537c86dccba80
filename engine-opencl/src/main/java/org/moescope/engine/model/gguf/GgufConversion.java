package org.moescope.engine.model.gguf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.quant.BlockQuantizer;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.SyntheticWeights;
import org.moescope.engine.model.WeightLayout;
import org.moescope.engine.model.WeightSpec;
import org.moescope.engine.model.WeightTypePlan;
import org.moescope.engine.tokenizer.GgufVocabulary;

/**
 * {@code moescope convert --to-gguf}: a model written as a GGUF file in llama.cpp's layout ({@link GgufModelWriter}),
 * each weight in a requested type or as it is stored. The file is written beside its destination and renamed when
 * complete, so a failed or cancelled conversion never leaves a partial file under the destination's name.
 */
public final class GgufConversion {

    /** Bytes read back from the device per step. */
    private static final long CHUNK_BYTES = 64L << 20;

    private GgufConversion() {
    }

    /**
     * A loaded model's weights, each converted to {@code requested} as {@link WeightTypePlan} places it (quantized with
     * ggml's reference quantizers), or written as stored when {@code requested} is null. {@code vocabulary} may be
     * null (a model without a tokenizer).
     */
    public static void writeLoaded(ModelConfig config, ModelWeights weights, Backend backend, GgufVocabulary vocabulary,
                                   DType requested, String name, Path path, LoadProgress progress) {
        Map<String, DeviceBuffer> buffers = new HashMap<>();
        for (DeviceBuffer b : weights.owned()) {
            buffers.put(b.name(), b);
        }
        GgufWriter w = GgufModelWriter.forModel(config, name);
        if (vocabulary != null) {
            GgufModelWriter.putVocabulary(w, vocabulary);
        }
        List<WeightSpec> specs = WeightLayout.of(config);
        for (int i = 0; i < specs.size(); i++) {
            WeightSpec spec = specs.get(i);
            DeviceBuffer b = buffers.get(spec.key());
            if (b == null || b.length() != spec.elements()) {
                throw new IllegalArgumentException("the model has no buffer '" + spec.key() + "' of "
                        + spec.elements() + " elements");
            }
            DType to = requested == null ? b.dtype() : WeightTypePlan.typeOf(spec, requested);
            int index = i;
            GgufModelWriter.addWeight(w, spec, to, out -> {
                report(progress, index, specs, spec, to);
                copyConverted(backend, b, spec, to, out);
            });
        }
        markQuantized(w, specs.stream().anyMatch(s -> (requested == null ? buffers.get(s.key()).dtype()
                : WeightTypePlan.typeOf(s, requested)).isQuantized()));
        writeAtomically(w, path);
    }

    /**
     * A synthetic model ({@link SyntheticWeights}: the weights a preset of {@code dtype} and {@code seed} loads with)
     * made and written one tensor at a time, so that only one tensor is ever held on the device: a model larger than
     * the device or the host memory can be written.
     */
    public static void writeSynthetic(ModelConfig config, DType dtype, long seed, Backend backend, String name,
                                      Path path, LoadProgress progress) {
        GgufWriter w = GgufModelWriter.forModel(config, name);
        List<WeightSpec> specs = WeightLayout.of(config);
        for (int i = 0; i < specs.size(); i++) {
            WeightSpec spec = specs.get(i);
            DType type = WeightTypePlan.typeOf(spec, dtype);
            int index = i;
            GgufModelWriter.addWeight(w, spec, type, out -> {
                report(progress, index, specs, spec, type);
                try (DeviceBuffer b = backend.allocate(spec.key(), type, spec.elements())) {
                    SyntheticWeights.fillTensor(backend, spec, index, b, seed);
                    copyConverted(backend, b, spec, type, out);
                }
            });
        }
        markQuantized(w, specs.stream().anyMatch(s -> WeightTypePlan.typeOf(s, dtype).isQuantized()));
        writeAtomically(w, path);
    }

    /** ggml's quantization format version, which llama.cpp expects in a file with quantized tensors. */
    private static void markQuantized(GgufWriter w, boolean quantized) {
        if (quantized) {
            w.put("general.quantization_version", GgufValue.uint32(2));
        }
    }

    private static void report(LoadProgress progress, int index, List<WeightSpec> specs, WeightSpec spec, DType type) {
        progress.stopIfCancelled();
        progress.progress((double) index / specs.size(), String.format(Locale.ROOT, "%s as %s", spec.key(), type));
    }

    /** Streams buffer {@code b} to {@code out} as {@code to}, whole rows at a time. */
    private static void copyConverted(Backend backend, DeviceBuffer b, WeightSpec spec, DType to,
                                      WritableByteChannel out) throws IOException {
        long row = spec.shape()[spec.shape().length - 1];
        long chunkRows = Math.max(1, CHUNK_BYTES / Math.max(b.dtype().bytesOf(row), to.bytesOf(row)));
        for (long at = 0; at < b.length(); at += chunkRows * row) {
            long count = Math.min(chunkRows * row, b.length() - at);
            ByteBuffer bytes = to == b.dtype() ? backend.readBytes(b, at, count)
                    : encode(backend.readFloats(b, at, Math.toIntExact(count)), to);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    /** Floats stored as {@code to}: rounded for the 16-bit types, ggml's reference quantizer for the block types. */
    static ByteBuffer encode(float[] x, DType to) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(to.bytesOf(x.length))).order(ByteOrder.LITTLE_ENDIAN);
        if (to.isQuantized()) {
            BlockQuantizer.quantize(to, x, 0, x.length, out, 0);
            return out;
        }
        for (float v : x) {
            switch (to) {
                case F32 -> out.putFloat(v);
                case F16 -> out.putShort(Precision.floatToF16(v));
                case BF16 -> out.putShort(Precision.floatToBf16(v));
                default -> throw new IllegalArgumentException(to + " is not a weight type");
            }
        }
        return out.flip();
    }

    private static void writeAtomically(GgufWriter w, Path path) {
        Path dir = path.toAbsolutePath().getParent();
        Path partial = dir.resolve(path.getFileName() + ".partial");
        try {
            w.write(partial);
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(partial);
            throw e;
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the partial file's name says what it is
        }
    }
}
