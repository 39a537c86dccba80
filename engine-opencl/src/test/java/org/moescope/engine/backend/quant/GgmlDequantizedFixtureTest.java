package org.moescope.engine.backend.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.SafetensorsFile;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufLoader;
import org.moescope.engine.model.gguf.GgufTensor;

/**
 * Every tensor of the ggml-written gguf-tiny-k file, decoded by {@link BlockDequantizer}, against ggml's own
 * dequantized values (gguf-tiny-k/dequantized/model.safetensors, in Hugging Face names; stacked expert tensors are one
 * HF tensor per expert), bit for bit.
 */
class GgmlDequantizedFixtureTest {
    private static final Pattern EXPERT = Pattern.compile("model\\.layers\\.(\\d+)\\.mlp\\.experts\\.(\\d+)\\.(\\w+)\\.weight");

    @Test
    void everyTensorDecodesExactlyAsGgmlDid() throws IOException {
        Path gguf = fixture("gguf-tiny-k/model.gguf");
        Path dequantized = fixture("gguf-tiny-k/dequantized/model.safetensors");
        Set<DType> seen = EnumSet.noneOf(DType.class);
        Set<String> unused = new HashSet<>();
        long compared = 0;
        try (GgufFile file = GgufFile.open(gguf); SafetensorsFile reference = SafetensorsFile.open(dequantized);
             FileChannel ch = FileChannel.open(dequantized)) {
            // GGUF name -> (expert index -> HF tensor); -1 for a tensor that is not a stack
            Map<String, Map<Integer, SafetensorsFile.Tensor>> byGguf = new HashMap<>();
            for (SafetensorsFile.Tensor t : reference.tensors().values()) {
                unused.add(t.name());
                Matcher m = EXPERT.matcher(t.name());
                String name;
                int expert = -1;
                if (m.matches()) {
                    name = GgufLoader.tensorName("model.layers." + m.group(1) + ".mlp.experts." + m.group(3));
                    expert = Integer.parseInt(m.group(2));
                } else {
                    name = GgufLoader.tensorName(t.name());
                }
                byGguf.computeIfAbsent(name, k -> new HashMap<>()).put(expert, t);
            }
            for (GgufTensor t : file.tensors().values()) {
                Map<Integer, SafetensorsFile.Tensor> parts = byGguf.get(t.name());
                assertTrue(parts != null, t.name() + " has no dequantized counterpart");
                float[] got = decode(file, t);
                int perPart = got.length / parts.size();
                for (Map.Entry<Integer, SafetensorsFile.Tensor> e : parts.entrySet()) {
                    int first = Math.max(0, e.getKey()) * perPart;
                    float[] want = readF32(ch, e.getValue());
                    assertEquals(perPart, want.length, e.getValue().name());
                    for (int i = 0; i < want.length; i++) {
                        if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[first + i])) {
                            fail(t.name() + " (" + t.dtype() + ") element " + (first + i) + ": decoded "
                                    + got[first + i] + ", ggml dequantized " + want[i] + " (" + e.getValue().name()
                                    + "[" + i + "])");
                        }
                    }
                    unused.remove(e.getValue().name());
                    compared += want.length;
                }
                seen.add(t.dtype());
            }
        }
        assertTrue(unused.isEmpty(), "dequantized tensors with no GGUF tensor: " + unused);
        assertTrue(seen.containsAll(EnumSet.of(DType.Q4_K, DType.Q6_K, DType.F32)), "types seen: " + seen);
        assertTrue(compared > 1_000_000, "compared only " + compared + " values");
    }

    private static float[] decode(GgufFile file, GgufTensor t) {
        ByteBuffer bytes = file.bytes(t, 0, Math.toIntExact(t.bytes()));
        float[] out = new float[Math.toIntExact(t.elements())];
        if (t.dtype() == DType.F32) {
            bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            BlockDequantizer.dequantize(t.dtype(), bytes, out, 0, out.length);
        }
        return out;
    }

    private static float[] readF32(FileChannel ch, SafetensorsFile.Tensor t) throws IOException {
        assertEquals(DType.F32, t.dtype(), t.name());
        ByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, t.begin(), t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[Math.toIntExact(t.elements())];
        b.asFloatBuffer().get(out);
        return out;
    }

    static Path fixture(String relative) {
        try {
            return Path.of(GgmlDequantizedFixtureTest.class.getResource("/org/moescope/engine/gguf/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
