package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightLayout;

/**
 * Truncations and corruptions of the gguf-tiny-k fixture at every section of the file: each gives an EngineException
 * whose message names the file, the section and what was expected, never another exception or a huge allocation.
 */
class GgufBadInputTest {

    @TempDir
    static Path tmp;
    static byte[] original;
    static GgufLayout layout;

    @BeforeAll
    static void readFixture() throws IOException {
        original = Files.readAllBytes(GgufFixtures.model("gguf-tiny-k"));
        layout = new GgufLayout(original);
    }

    /** A cut at the start of, and inside, every section of the header, and inside the data. */
    static Stream<Arguments> truncations() {
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("empty file", 0, "the header"));
        out.add(Arguments.of("inside the magic", 2, "the header"));
        out.add(Arguments.of("inside the version", 6, "the header"));
        out.add(Arguments.of("inside the tensor count", 12, "the header"));
        out.add(Arguments.of("inside the key count", 20, "the header"));
        for (GgufLayout.Kv kv : layout.kvs) {
            out.add(Arguments.of("before key " + kv.key(), kv.keyAt(), "metadata key/value"));
            out.add(Arguments.of("inside key " + kv.key(), kv.keyAt() + 9, "metadata key/value"));
            out.add(Arguments.of("inside the type of " + kv.key(), kv.typeAt() + 2, "('" + kv.key() + "')"));
            out.add(Arguments.of("inside the value of " + kv.key(), (kv.valueAt() + kv.end()) / 2, "('" + kv.key() + "')"));
        }
        for (GgufLayout.Info t : layout.infos) {
            out.add(Arguments.of("before tensor info " + t.name(), t.nameAt(), "tensor info"));
            out.add(Arguments.of("inside the dims of " + t.name(), t.neAt() + 3, "tensor info '" + t.name() + "'"));
            out.add(Arguments.of("inside the type of " + t.name(), t.typeAt() + 1, "tensor info '" + t.name() + "'"));
            out.add(Arguments.of("inside the offset of " + t.name(), t.offsetAt() + 7, "tensor info '" + t.name() + "'"));
        }
        out.add(Arguments.of("inside the padding", layout.dataStart - 1, "padding"));
        out.add(Arguments.of("at the data", layout.dataStart, "past the end of the file"));
        out.add(Arguments.of("inside the last tensor's data", original.length - 1, "past the end of the file"));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("truncations")
    void aTruncatedFileNamesTheSectionItEndsIn(String what, int length, String section) throws IOException {
        EngineException e = openFails(Arrays.copyOf(original, length));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        // a cut may instead leave too few bytes for a count read before it: then that count is named
        assertTrue(e.getMessage().contains(section) || e.getMessage().contains("claims"), e.getMessage());
    }

    @Test
    void badMagic() throws IOException {
        assertMessage(b -> b.put(0, (byte) 'X'), "not a GGUF file", "'XGUF'");
    }

    @Test
    void versionsOtherThanTwoAndThree() throws IOException {
        assertMessage(b -> b.putInt(4, 1), "GGUF version 1 is not supported");
        assertMessage(b -> b.putInt(4, 4), "unknown GGUF version 4");
        assertMessage(b -> b.putInt(4, 0x03000000), "big-endian");
    }

    @Test
    void countsTheFileCannotHold() throws IOException {
        assertMessage(b -> b.putLong(8, Long.MAX_VALUE), "claims 9223372036854775807 tensors");
        assertMessage(b -> b.putLong(16, -1), "claims 18446744073709551615 metadata");
        assertMessage(b -> b.putLong(8, -1), "claims 18446744073709551615 tensors");
        assertMessage(b -> b.putLong(16, 1L << 40), "metadata key/value pairs", "could hold at most");
        assertMessage(b -> b.putLong(8, 1L << 40), "the tensor table", "claims 1099511627776 tensors");
        GgufLayout.Kv tokens = layout.kv("tokenizer.ggml.tokens");
        assertMessage(b -> b.putLong(tokens.valueAt() + 4, 1L << 50), "tokenizer.ggml.tokens", "an array claims");
        assertMessage(b -> b.putLong(tokens.keyAt(), 1L << 33), "a string claims 8589934592 bytes");
        GgufLayout.Kv name = layout.kv("general.name");
        assertMessage(b -> b.putLong(name.valueAt(), -5), "'general.name'", "a string claims 18446744073709551611");
    }

    @Test
    void unknownValueTypes() throws IOException {
        GgufLayout.Kv arch = layout.kv("general.architecture");
        assertMessage(b -> b.putInt(arch.typeAt(), 13), "'general.architecture'", "unknown metadata value type 13");
        GgufLayout.Kv types = layout.kv("tokenizer.ggml.token_type");
        assertMessage(b -> b.putInt(types.valueAt(), 99), "'tokenizer.ggml.token_type'", "unknown metadata value type 99");
    }

    @Test
    void duplicateKeysAndTensorNames() throws IOException {
        GgufLayout.Info k = layout.infos.stream().filter(t -> t.name().equals("blk.0.attn_k.weight")).findFirst().orElseThrow();
        assertMessage(b -> b.put(k.nameAt() + 8 + "blk.0.attn_".length(), (byte) 'q'), "'blk.0.attn_q.weight'",
                "appears twice");
        GgufLayout.Kv bos = layout.kv("tokenizer.ggml.bos_token_id");
        assertMessage(b -> b.put(bos.keyAt() + 8 + "tokenizer.ggml.".length(), (byte) 'e')
                .put(bos.keyAt() + 9 + "tokenizer.ggml.".length(), (byte) 'o'), "'tokenizer.ggml.eos_token_id'",
                "appears twice");
    }

    @Test
    void tensorTableErrors() throws IOException {
        GgufLayout.Info gate = layout.infos.stream().filter(t -> t.name().equals("blk.0.ffn_gate_exps.weight"))
                .findFirst().orElseThrow();
        assertMessage(b -> b.putInt(gate.dimsAt(), 5), "'blk.0.ffn_gate_exps.weight'", "5 dimensions", "at most 4");
        assertMessage(b -> b.putLong(gate.neAt() + 8, -7), "dimension 1 is 18446744073709551609");
        assertMessage(b -> b.putLong(gate.neAt() + 8, 1L << 40).putLong(gate.neAt() + 16, 1L << 40),
                "'blk.0.ffn_gate_exps.weight'", "more elements than a tensor can");
        assertMessage(b -> b.putInt(gate.typeAt(), 23), "'blk.0.ffn_gate_exps.weight'", "IQ4_XS (ggml type 23)",
                "supported types: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K");
        assertMessage(b -> b.putInt(gate.typeAt(), 1000), "unknown type 1000");
        assertMessage(b -> b.putInt(gate.typeAt(), 8), "'blk.0.ffn_gate_exps.weight'", "overlap");
        long offset = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(gate.offsetAt());
        assertMessage(b -> b.putLong(gate.offsetAt(), offset + 16), "not a multiple of the alignment 32");
        assertMessage(b -> b.putLong(gate.offsetAt(), offset + 32), "overlap");
        assertMessage(b -> b.putLong(gate.offsetAt(), 1L << 40), "'blk.0.ffn_gate_exps.weight'", "past the end of the file");
        GgufLayout.Info q = layout.infos.stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst()
                .orElseThrow();
        assertMessage(b -> b.putLong(q.neAt(), 200), "'blk.0.attn_q.weight'", "rows of 200 elements",
                "256-element blocks");
    }

    @Test
    void theAlignmentMustBeAPowerOfTwoUint32() throws IOException {
        Path p = tmp.resolve("align.gguf");
        new GgufWriter().put("general.alignment", GgufValue.uint32(48)).write(p);
        assertTrue(assertThrows(EngineException.class, () -> GgufFile.open(p)).getMessage().contains("not a power of 2"));
        new GgufWriter().put("general.alignment", GgufValue.int32(64)).write(p);
        assertTrue(assertThrows(EngineException.class, () -> GgufFile.open(p)).getMessage().contains("must be a UINT32"));
    }

    /**
     * Random bit flips in the header and random truncations, seeded: each file either opens (and its config and
     * tensor checks run) or gives an EngineException; nothing else escapes.
     */
    @Test
    void randomCorruptionsGiveEngineExceptionsOrACorrectOpen() throws IOException {
        Random random = new Random(12);
        int opened = 0;
        int refused = 0;
        for (int i = 0; i < 300; i++) {
            byte[] bytes;
            if (i % 4 == 3) {
                bytes = Arrays.copyOf(original, random.nextInt(original.length));
            } else {
                bytes = original.clone();
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextInt(layout.dataStart);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            Path p = tmp.resolve("fuzz.gguf");
            Files.write(p, bytes);
            try (GgufFile f = GgufFile.open(p)) {
                ModelConfig config = GgufModelConfig.from(f);
                GgufLoader.validate(f, config, WeightLayout.of(config));
                opened++;
            } catch (EngineException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
                refused++;
            } catch (Throwable t) {
                fail("case " + i + ": " + t, t);
            }
        }
        assertTrue(refused > 100 && opened > 0, "opened " + opened + ", refused " + refused);
    }

    private static void assertMessage(Consumer<ByteBuffer> corrupt, String... parts) throws IOException {
        byte[] bytes = original.clone();
        corrupt.accept(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        EngineException e = openFails(bytes);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }

    private static EngineException openFails(byte[] bytes) throws IOException {
        Path p = tmp.resolve("bad.gguf");
        Files.write(p, bytes);
        EngineException e = assertThrows(EngineException.class, () -> {
            try (GgufFile f = GgufFile.open(p)) {
                fail("opened " + f.tensors().size() + " tensors");
            }
        });
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        return e;
    }
}
