package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;

class GgufFileTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"gguf-tiny-k", "gguf-tiny-q8", "gguf-sample-q8"})
    void readsEveryFixtureWithTheTypesItsFixtureJsonLists(String name) throws IOException {
        JsonObject types = GgufFixtures.fixtureJson(name).getAsJsonObject("tensor_types");
        try (GgufFile f = GgufFile.open(GgufFixtures.model(name))) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            assertEquals("qwen3moe", f.require("general.architecture").asString("general.architecture"));
            assertEquals(types.keySet(), f.tensors().keySet());
            for (GgufTensor t : f.tensors().values()) {
                String expected = types.get(t.name()).getAsString().toUpperCase(Locale.ROOT);
                assertEquals(expected, t.dtype().name(), t.name());
                assertEquals(t.dtype().bytesOf(t.elements()), t.bytes(), t.name());
                assertEquals(0, t.fileOffset() % 32, t.name());
            }
            assertEquals(2048, f.require("tokenizer.ggml.tokens").asStrings("tokenizer.ggml.tokens").size());
        }
    }

    /** What the reader reads, the writer writes back as ggml wrote it: the same file, byte for byte. */
    @ParameterizedTest
    @ValueSource(strings = {"gguf-tiny-k", "gguf-tiny-q8", "gguf-sample-q8"})
    void rewritingAFixtureReproducesGgmlsFileByteForByte(String name) throws IOException {
        Path copy = tmp.resolve(name + ".gguf");
        try (GgufFile f = GgufFile.open(GgufFixtures.model(name))) {
            GgufWriter w = new GgufWriter();
            f.metadata().forEach(w::put);
            for (GgufTensor t : f.tensors().values()) {
                w.addTensor(t.name(), t.dtype(), t.ne(), f.bytes(t, 0, (int) t.bytes()));
            }
            w.write(copy);
        }
        assertEquals(-1, java.nio.file.Files.mismatch(GgufFixtures.model(name), copy), "first differing byte");
    }

    @Test
    void tinyKHasTheStackedExpertShapesTheReadmeGives() {
        try (GgufFile f = GgufFile.open(GgufFixtures.model("gguf-tiny-k"))) {
            GgufTensor gate = f.tensors().get("blk.0.ffn_gate_exps.weight");
            assertArrayEquals(new long[] {256, 256, 8}, gate.ne());
            assertArrayEquals(new long[] {8, 256, 256}, gate.shape());
            assertEquals(DType.Q4_K, gate.dtype());
            assertEquals(12, gate.ggmlType());
            GgufTensor embd = f.tensors().get("token_embd.weight");
            assertArrayEquals(new long[] {2048, 256}, embd.shape());
            assertEquals(2, f.require("qwen3moe.block_count").asInt("qwen3moe.block_count"));
            assertEquals(1e6, f.require("qwen3moe.rope.freq_base").asDouble("qwen3moe.rope.freq_base"));
            assertTrue(f.require("qwen3moe.expert_weights_norm").asBool("qwen3moe.expert_weights_norm"));
        }
    }

    /** One key of every metadata type, arrays of each, a nested array and an empty one. */
    static Map<String, GgufValue> everyType() {
        Map<String, GgufValue> m = new java.util.LinkedHashMap<>();
        m.put("u8", new GgufValue(GgufValueType.UINT8, 255L));
        m.put("i8", new GgufValue(GgufValueType.INT8, -128L));
        m.put("u16", new GgufValue(GgufValueType.UINT16, 65535L));
        m.put("i16", new GgufValue(GgufValueType.INT16, -32768L));
        m.put("u32", new GgufValue(GgufValueType.UINT32, 4294967295L));
        m.put("i32", new GgufValue(GgufValueType.INT32, -2147483648L));
        m.put("u64", new GgufValue(GgufValueType.UINT64, -1L));
        m.put("i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        m.put("f32", GgufValue.float32(-1.5e-7f));
        m.put("f64", new GgufValue(GgufValueType.FLOAT64, 1.0 / 3));
        m.put("bool.t", GgufValue.bool(true));
        m.put("bool.f", GgufValue.bool(false));
        m.put("str", GgufValue.string("Ġhello ✓ 日本"));
        m.put("str.empty", GgufValue.string(""));
        m.put("arr.u8", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.UINT8, List.of(0L, 7L, 255L))));
        m.put("arr.i16", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.INT16, List.of(-1L, 2L))));
        m.put("arr.u64", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.UINT64, List.of(-2L))));
        m.put("arr.f32", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT32, List.of(1f, -0f))));
        m.put("arr.f64", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.FLOAT64, List.of(2.5))));
        m.put("arr.bool", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.BOOL, List.of(true, false))));
        m.put("arr.str", GgufValue.strings(List.of("a b", "", "Ċ")));
        m.put("arr.i32", GgufValue.int32s(new int[] {1, -2, 3}));
        m.put("arr.empty", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.INT64, List.of())));
        m.put("arr.nested", new GgufValue(GgufValueType.ARRAY, new GgufArray(GgufValueType.ARRAY, List.of(
                new GgufArray(GgufValueType.STRING, List.of("x")),
                new GgufArray(GgufValueType.ARRAY, List.of(new GgufArray(GgufValueType.INT8, List.of(-3L)))),
                new GgufArray(GgufValueType.UINT32, List.of())))));
        return m;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void roundTripsEveryMetadataTypeAndTensorData(int version) {
        GgufWriter w = new GgufWriter().version(version);
        everyType().forEach(w::put);
        ByteBuffer f32 = floats(1, 2, 3, 4, 5, 6);
        ByteBuffer q8 = ByteBuffer.allocate(2 * 34);
        for (int i = 0; i < q8.capacity(); i++) {
            q8.put(i, (byte) (i * 7));
        }
        w.addTensor("a", DType.F32, new long[] {3, 2}, f32);
        w.addTensor("q", DType.Q8_0, new long[] {32, 2}, q8);
        w.addTensor("scalar", DType.F16, new long[] {}, ByteBuffer.wrap(new byte[] {1, 2}));
        Path path = tmp.resolve("m.gguf");
        w.write(path);
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals(version, f.version());
            assertEquals(everyType(), f.metadata());
            assertEquals(List.copyOf(everyType().keySet()), List.copyOf(f.metadata().keySet()));
            assertEquals(List.of("a", "q", "scalar"), List.copyOf(f.tensors().keySet()));
            GgufTensor a = f.tensors().get("a");
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertEquals(f32.rewind(), f.bytes(a, 0, 24));
            GgufTensor q = f.tensors().get("q");
            assertEquals(DType.Q8_0, q.dtype());
            assertEquals(32, q.offset(), "aligned after the 24 bytes of 'a'");
            assertEquals(q8.rewind(), f.bytes(q, 0, 68));
            assertEquals(1, f.tensors().get("scalar").elements());
        }
    }

    @Test
    void honoursAnotherAlignment() {
        Path path = tmp.resolve("a.gguf");
        new GgufWriter().alignment(256).addTensor("x", DType.F32, new long[] {1}, floats(9))
                .addTensor("y", DType.F32, new long[] {2}, floats(7, 8)).write(path);
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals(256, f.alignment());
            assertEquals(256, f.tensors().get("y").offset());
            assertEquals(0, f.tensors().get("x").fileOffset() % 256);
            assertEquals(8f, f.bytes(f.tensors().get("y"), 4, 4).getFloat(0));
        }
    }

    @Test
    void opensASplitFileFromItsFirstPartWithTheTensorsOfAllParts() {
        for (int i = 0; i < 3; i++) {
            GgufWriter w = new GgufWriter()
                    .put("split.no", new GgufValue(GgufValueType.UINT16, (long) i))
                    .put("split.count", new GgufValue(GgufValueType.UINT16, 3L))
                    .put("split.tensors.count", GgufValue.int32(3));
            if (i == 0) {
                w.put("general.architecture", GgufValue.string("qwen3moe"));
            }
            w.addTensor("t" + i, DType.F32, new long[] {1}, floats(i + 0.5f));
            w.write(tmp.resolve(String.format("m-%05d-of-00003.gguf", i + 1)));
        }
        try (GgufFile f = GgufFile.open(tmp.resolve("m-00001-of-00003.gguf"))) {
            assertEquals(List.of("t0", "t1", "t2"), List.copyOf(f.tensors().keySet()));
            assertEquals(2, f.tensors().get("t2").part());
            assertEquals(2.5f, f.bytes(f.tensors().get("t2"), 0, 4).getFloat(0));
            assertEquals(3, f.partPaths().size());
        }
        EngineException notFirst = assertThrows(EngineException.class,
                () -> GgufFile.open(tmp.resolve("m-00002-of-00003.gguf")));
        assertTrue(notFirst.getMessage().contains("m-00001-of-00003.gguf"), notFirst.getMessage());
    }

    @Test
    void aSplitFileWithAMissingPartNamesIt() {
        new GgufWriter().put("split.count", new GgufValue(GgufValueType.UINT16, 2L))
                .addTensor("t", DType.F32, new long[] {1}, floats(1)).write(tmp.resolve("m-00001-of-00002.gguf"));
        EngineException e = assertThrows(EngineException.class, () -> GgufFile.open(tmp.resolve("m-00001-of-00002.gguf")));
        assertTrue(e.getMessage().contains("m-00002-of-00002.gguf"), e.getMessage());
    }

    @Test
    void anUnsupportedTensorTypeNamesTheTensorTheTypeAndTheSupportedOnes() {
        Path path = tmp.resolve("iq.gguf");
        new GgufWriter().addRawTensor("blk.0.ffn_down_exps.weight", 23, new long[] {256}, 136,
                out -> out.write(ByteBuffer.allocate(136))).write(path);
        EngineException e = assertThrows(EngineException.class, () -> GgufFile.open(path));
        assertTrue(e.getMessage().contains("'blk.0.ffn_down_exps.weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("IQ4_XS"), e.getMessage());
        assertTrue(e.getMessage().contains("Q4_K, Q5_K, Q6_K"), e.getMessage());
    }

    @Test
    void rowsThatAreNotWholeBlocksAreRefused() {
        Path path = tmp.resolve("rows.gguf");
        new GgufWriter().addRawTensor("w", 12, new long[] {128, 2}, 144, out -> out.write(ByteBuffer.allocate(144)))
                .write(path);
        EngineException e = assertThrows(EngineException.class, () -> GgufFile.open(path));
        assertTrue(e.getMessage().contains("rows of 128 elements"), e.getMessage());
    }

    /** A tensor larger than one mapped region goes up region by region, each at its own element offset. */
    @Test
    void uploadsATensorRegionByRegion() {
        Path path = tmp.resolve("r.gguf");
        float[] values = new float[25];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 3;
        }
        new GgufWriter().addTensor("x", DType.F32, new long[] {25}, floats(values)).write(path);
        try (GgufFile f = GgufFile.open(path); JavaBackend backend = new JavaBackend()) {
            DeviceBuffer b = backend.allocate("x", DType.F32, 27);
            f.upload(f.tensors().get("x"), backend, b, 2, 12); // regions of 3 floats
            float[] back = backend.readFloats(b, 0, 27);
            assertEquals(0f, back[0]);
            assertEquals(0f, back[1]);
            assertArrayEquals(values, Arrays.copyOfRange(back, 2, 27));
        }
    }

    static ByteBuffer floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.flip();
    }
}
