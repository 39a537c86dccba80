package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Profiler;

/** Loading checkpoints: sharded folders, and every kind of bad checkpoint gives a clear error with nothing left allocated. */
class CheckpointLoaderTest {

    @TempDir
    Path tmp;

    static final ModelConfig CONFIG = RandomModelTest.config(20, 2, 2, 1, 10, 12, 16, 4, 2, true, 2, List.of(), false, 30);

    private SafetensorsWriter tensors() {
        return RandomCheckpoint.tensors(CONFIG, 3, DType.BF16);
    }

    private Path folder(SafetensorsWriter w) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(dir.resolve("config.json"), RandomCheckpoint.configJson(CONFIG, true));
        w.write(dir.resolve("model.safetensors"));
        return dir;
    }

    /** Loads {@code dir} on a tracking backend; asserts nothing stays allocated when it fails. */
    private EngineException loadFails(Path dir) {
        TrackingBackend backend = new TrackingBackend(new JavaBackend());
        EngineException e = assertThrows(EngineException.class, () -> {
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                CheckpointLoader.load(c, ModelConfig.load(dir), backend, LoadProgress.NONE).close();
            }
        });
        assertEquals(0, backend.liveBuffers(), "buffers left allocated after: " + e.getMessage());
        return e;
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        EngineException e = loadFails(folder(tensors().remove("model.layers.1.self_attn.k_norm.weight")));
        assertMentions(e, "missing", "model.layers.1.self_attn.k_norm.weight");
    }

    @Test
    void missingExpertIsNamed() throws IOException {
        EngineException e = loadFails(folder(tensors().remove("model.layers.1.mlp.experts.3.up_proj.weight")));
        assertMentions(e, "model.layers.1.mlp.experts.3.up_proj.weight");
    }

    @Test
    void unexpectedTensorIsNamed() throws IOException {
        EngineException e = loadFails(folder(tensors().add("model.layers.0.mlp.shared_expert.gate_proj.weight",
                DType.F32, new long[] {2}, new float[2])));
        assertMentions(e, "unexpected", "model.layers.0.mlp.shared_expert.gate_proj.weight");
    }

    @Test
    void misshapedTensorNamesExpectedAndFoundShape() throws IOException {
        EngineException e = loadFails(folder(tensors().add("model.layers.0.self_attn.q_proj.weight", DType.BF16,
                new long[] {20, 21}, new float[420])));
        assertMentions(e, "model.layers.0.self_attn.q_proj.weight", "[20, 21]", "[20, 20]");
    }

    @Test
    void mixedExpertDtypesAreWidenedToF32Losslessly() throws IOException {
        SafetensorsWriter w = tensors();
        float[] values = new float[240];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 120) / 1000f; // not representable in BF16
        }
        w.add("model.layers.1.mlp.experts.2.down_proj.weight", DType.F32, new long[] {20, 12}, values);
        w.add("model.layers.1.mlp.experts.0.up_proj.weight", DType.F16, new long[] {12, 20}, new float[240]);
        Path dir = folder(w);
        try (JavaBackend backend = new JavaBackend();
             SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir);
             ModelWeights weights = CheckpointLoader.load(c, CONFIG, backend, LoadProgress.NONE)) {
            var moe = weights.layers().get(1).moe();
            assertEquals(DType.F32, moe.down().dtype(), "mixed BF16/F32 down stack");
            assertEquals(DType.F32, moe.gate().dtype(), "gate and up share one dtype");
            assertEquals(DType.F32, moe.up().dtype());
            assertEquals(DType.BF16, weights.layers().get(0).q().dtype(), "other tensors keep their dtype");
            assertArrayEquals(values, backend.readFloats(moe.down(), 2 * 240, 240), "expert 2's down, exactly");
        }
    }

    @Test
    void unsupportedDtypeIsNamed() throws IOException {
        EngineException e = loadFails(folder(tensors().addRaw("model.norm.weight", "I8", new long[] {20}, new byte[20])));
        assertMentions(e, "model.norm.weight", "unsupported dtype I8");
    }

    @Test
    void truncatedFileIsReported() throws IOException {
        Path dir = folder(tensors());
        Path file = dir.resolve("model.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 10);
        }
        assertMentions(loadFails(dir), "truncated");
    }

    @Test
    void malformedHeadersAreReported() throws IOException {
        Path dir = folder(tensors());
        Path file = dir.resolve("model.safetensors");
        tensors().writeWithHeader(file, "{\"model.norm.weight\": {\"dtype\": \"BF16\", \"shape\": [20]");
        assertMentions(loadFails(dir), "malformed");
        tensors().writeWithHeader(file, "{\"model.norm.weight\": {\"dtype\": \"BF16\", \"shape\": [20], \"data_offsets\": [0]}}");
        assertMentions(loadFails(dir), "data_offsets");
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'});
        assertMentions(loadFails(dir), "header length");
        Files.write(file, new byte[] {1, 2, 3});
        assertMentions(loadFails(dir), "not a safetensors file");
    }

    @Test
    void noWeightsAndNoConfigAreReported() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertMentions(assertThrows(EngineException.class, () -> ModelConfig.load(dir)), "config.json");
        assertMentions(assertThrows(EngineException.class, () -> SafetensorsCheckpoint.open(dir)), "model.safetensors");
    }

    @Test
    void outOfDeviceMemoryMidLoadFreesEverythingAndSaysHowMuchWasNeeded() throws IOException {
        Path dir = folder(tensors());
        TrackingBackend backend = new TrackingBackend(new JavaBackend()).limitBytes(4000);
        EngineException e = assertThrows(EngineException.class, () -> {
            try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
                CheckpointLoader.load(c, CONFIG, backend, LoadProgress.NONE);
            }
        });
        assertMentions(e, "out of device memory", "need", "MiB");
        assertEquals(0, backend.liveBuffers());
    }

    @Test
    void shardedCheckpointLoadsLikeOneFile() throws IOException {
        SafetensorsWriter all = tensors();
        Path single = folder(all);
        Path sharded = Files.createDirectories(tmp.resolve("sharded"));
        Files.copy(single.resolve("config.json"), sharded.resolve("config.json"));
        SafetensorsWriter a = new SafetensorsWriter();
        SafetensorsWriter b = new SafetensorsWriter();
        JsonObject map = new JsonObject();
        int i = 0;
        for (Map.Entry<String, SafetensorsWriter.Entry> e : all.entries().entrySet()) {
            boolean first = i++ % 2 == 0;
            (first ? a : b).entries().put(e.getKey(), e.getValue());
            map.addProperty(e.getKey(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        a.write(sharded.resolve("model-00001-of-00002.safetensors"));
        b.write(sharded.resolve("model-00002-of-00002.safetensors"));
        JsonObject index = new JsonObject();
        index.add("weight_map", map);
        Files.writeString(sharded.resolve(SafetensorsCheckpoint.INDEX_FILE), index.toString());

        int[] ids = {1, 7, 29, 3};
        assertArrayEquals(logits(single, ids), logits(sharded, ids), "sharded == single file, bit for bit");
    }

    /** The per-expert tensors of {@code w} rewritten in transformers 5.x's fused layout (all one dtype). */
    static SafetensorsWriter fused(SafetensorsWriter w, ModelConfig c) {
        SafetensorsWriter out = new SafetensorsWriter();
        out.entries().putAll(w.entries());
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            if (!c.isMoeLayer(l)) {
                continue;
            }
            String p = "model.layers." + l + ".mlp.experts.";
            java.io.ByteArrayOutputStream gateUp = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream down = new java.io.ByteArrayOutputStream();
            String dtype = null;
            for (int e = 0; e < c.numExperts(); e++) {
                for (String proj : new String[] {"gate_proj", "up_proj", "down_proj"}) {
                    SafetensorsWriter.Entry entry = out.entries().remove(p + e + "." + proj + ".weight");
                    dtype = entry.dtypeName();
                    (proj.equals("down_proj") ? down : gateUp).writeBytes(entry.data());
                }
            }
            long e = c.numExperts();
            long inter = c.moeIntermediateSize();
            long h = c.hiddenSize();
            out.addRaw(p + "gate_up_proj", dtype, new long[] {e, 2 * inter, h}, gateUp.toByteArray());
            out.addRaw(p + "down_proj", dtype, new long[] {e, h, inter}, down.toByteArray());
        }
        return out;
    }

    @Test
    void fusedExpertLayoutOfTransformers5LoadsLikePerExpertTensors() throws IOException {
        SafetensorsWriter perExpert = tensors();
        Path single = folder(perExpert);
        Path fusedDir = Files.createDirectories(tmp.resolve("fused"));
        Files.copy(single.resolve("config.json"), fusedDir.resolve("config.json"));
        SafetensorsWriter fused = fused(perExpert, CONFIG);
        assertTrue(fused.entries().containsKey("model.layers.1.mlp.experts.gate_up_proj"));
        fused.write(fusedDir.resolve("model.safetensors"));
        int[] ids = {4, 0, 17, 29, 8};
        assertArrayEquals(logits(single, ids), logits(fusedDir, ids), "fused == per expert, bit for bit");

        fused.addRaw("model.layers.1.mlp.experts.gate_up_proj", "BF16", new long[] {4, 12, 20}, new byte[4 * 12 * 20 * 2]);
        fused.write(fusedDir.resolve("model.safetensors"));
        assertMentions(loadFails(fusedDir), "model.layers.1.mlp.experts.gate_up_proj", "[4, 12, 20]", "[4, 24, 20]");
    }

    private static float[] logits(Path dir, int[] ids) {
        ModelConfig config = ModelConfig.load(dir);
        try (JavaBackend backend = new JavaBackend();
             SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir);
             ModelWeights w = CheckpointLoader.load(c, config, backend, LoadProgress.NONE);
             Transformer t = new Transformer(backend, config, w, 4);
             KvCache cache = new KvCache(backend, config, ids.length, "kv")) {
            return t.prefill(ids, cache, true, MoeOptions.DEFAULT, Profiler.OFF, null);
        }
    }
}
