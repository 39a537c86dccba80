package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.backend.opencl.OpenClBackend;
import org.moescope.engine.model.LoadCancelledException;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.TrackingBackend;
import org.moescope.engine.model.WeightLayout;
import org.moescope.engine.model.WeightSpec;

class GgufLoaderTest {

    @TempDir
    Path tmp;

    @Test
    void everyBufferHoldsItsTensorInTheTensorsOwnType() {
        ModelConfig config = RandomGguf.config(false);
        RandomGguf model = RandomGguf.of(config, 11, DType.F32, DType.F16, DType.BF16);
        Path path = model.write(tmp.resolve("m.gguf"));
        try (GgufFile file = GgufFile.open(path);
             JavaBackend backend = new JavaBackend();
             ModelWeights weights = GgufLoader.load(file, GgufModelConfig.from(file), backend, LoadProgress.NONE)) {
            List<WeightSpec> specs = WeightLayout.of(config);
            assertEquals(specs.size(), weights.owned().size());
            for (int i = 0; i < specs.size(); i++) {
                DeviceBuffer b = weights.owned().get(i);
                String key = specs.get(i).key();
                assertEquals(key, b.name());
                assertEquals(model.types.get(key), b.dtype(), key);
                assertArrayEquals(model.values.get(key), backend.readFloats(b, 0, (int) b.length()), key);
            }
        }
    }

    @Test
    void aTiedModelSharesTheEmbedding() {
        ModelConfig config = RandomGguf.config(true);
        Path path = RandomGguf.of(config, 3, DType.F32).write(tmp.resolve("t.gguf"));
        try (GgufFile file = GgufFile.open(path);
             JavaBackend backend = new JavaBackend();
             ModelWeights weights = GgufLoader.load(file, GgufModelConfig.from(file), backend, LoadProgress.NONE)) {
            assertSame(weights.embed(), weights.lmHead());
        }
    }

    @Test
    void theLlamaCppNamesOfTheLayout() {
        assertEquals("token_embd.weight", GgufLoader.tensorName("model.embed_tokens.weight"));
        assertEquals("output.weight", GgufLoader.tensorName("lm_head.weight"));
        assertEquals("output_norm.weight", GgufLoader.tensorName("model.norm.weight"));
        assertEquals("blk.12.attn_q_norm.weight", GgufLoader.tensorName("model.layers.12.self_attn.q_norm.weight"));
        assertEquals("blk.0.attn_output.weight", GgufLoader.tensorName("model.layers.0.self_attn.o_proj.weight"));
        assertEquals("blk.3.ffn_norm.weight", GgufLoader.tensorName("model.layers.3.post_attention_layernorm.weight"));
        assertEquals("blk.3.attn_norm.weight", GgufLoader.tensorName("model.layers.3.input_layernorm.weight"));
        assertEquals("blk.1.ffn_gate_inp.weight", GgufLoader.tensorName("model.layers.1.mlp.gate.weight"));
        assertEquals("blk.1.ffn_down_exps.weight", GgufLoader.tensorName("model.layers.1.mlp.experts.down_proj"));
    }

    @Test
    void theFixturesPassEveryCheckBeforeAllocation() {
        for (String name : GgufFixtures.NAMES) {
            try (GgufFile file = GgufFile.open(GgufFixtures.model(name))) {
                ModelConfig config = GgufModelConfig.from(file);
                var sources = GgufLoader.validate(file, config, WeightLayout.of(config));
                assertEquals(file.tensors().size(), sources.size(), name);
                assertEquals(DType.F32, sources.get("model.layers.0.mlp.gate.weight").dtype(), name);
            }
        }
    }

    @Test
    void aMissingTensorIsNamed() {
        EngineException e = loadFails(without("blk.1.ffn_up_exps.weight"));
        assertTrue(e.getMessage().contains("missing 1 tensor(s)") && e.getMessage().contains("blk.1.ffn_up_exps.weight"),
                e.getMessage());
    }

    @Test
    void anUnexpectedTensorIsNamed() {
        RandomGguf m = RandomGguf.of(RandomGguf.config(false), 5, DType.F32);
        m.writer.addTensor("blk.2.attn_q.weight", DType.F32, new long[] {64, 64}, ByteBuffer.allocate(64 * 64 * 4));
        EngineException e = loadFails(m.write(tmp.resolve("u.gguf")));
        assertTrue(e.getMessage().contains("blk.2.attn_q.weight"), e.getMessage());
    }

    @Test
    void aMisshapedTensorGivesBothShapes() {
        ModelConfig config = RandomGguf.config(false);
        GgufWriter w = GgufModelWriter.forModel(config, "m");
        for (WeightSpec spec : WeightLayout.of(config)) {
            long[] shape = spec.shape();
            if (spec.key().endsWith("layers.1.mlp.experts.down_proj")) {
                shape = new long[] {4, 32, 64}; // [E, inter, hidden]: down's rows and columns swapped
            }
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            w.addTensor(GgufLoader.tensorName(spec.key()), DType.F32, GgufModelWriter.ne(shape), ByteBuffer.allocate((int) n * 4));
        }
        w.write(tmp.resolve("s.gguf"));
        EngineException e = loadFails(tmp.resolve("s.gguf"));
        assertTrue(e.getMessage().contains("'blk.1.ffn_down_exps.weight' has shape [4, 32, 64]")
                && e.getMessage().contains("[4, 64, 32]"), e.getMessage());
    }

    @Test
    void gateAndUpExpertsOfDifferentTypesAreRefusedNotConverted() {
        ModelConfig config = RandomGguf.config(false);
        GgufWriter w = GgufModelWriter.forModel(config, "m");
        for (WeightSpec spec : WeightLayout.of(config)) {
            DType d = spec.key().endsWith("layers.0.mlp.experts.up_proj") ? DType.F16 : DType.F32;
            w.addTensor(GgufLoader.tensorName(spec.key()), d, GgufModelWriter.ne(spec.shape()),
                    ByteBuffer.allocate((int) d.bytesOf(spec.elements())));
        }
        w.write(tmp.resolve("g.gguf"));
        EngineException e = loadFails(tmp.resolve("g.gguf"));
        assertTrue(e.getMessage().contains("blk.0.ffn_up_exps.weight' is F16"), e.getMessage());
    }

    @Test
    void aCancelStopsBeforeTheNextTensorAndFreesEverything() {
        Path path = RandomGguf.of(RandomGguf.config(false), 7, DType.F32).write(tmp.resolve("c.gguf"));
        AtomicInteger loaded = new AtomicInteger();
        List<Double> fractions = new ArrayList<>();
        LoadProgress cancelAfterFive = new LoadProgress() {
            @Override
            public void progress(double fraction, String message) {
                fractions.add(fraction);
                loaded.incrementAndGet();
            }

            @Override
            public boolean cancelRequested() {
                return loaded.get() >= 5;
            }
        };
        try (GgufFile file = GgufFile.open(path); TrackingBackend backend = new TrackingBackend(new JavaBackend())) {
            ModelConfig config = GgufModelConfig.from(file);
            assertThrows(LoadCancelledException.class, () -> GgufLoader.load(file, config, backend, cancelAfterFive));
            assertEquals(0, backend.liveBuffers(), "everything freed");
            assertEquals(5, fractions.size());
            for (int i = 1; i < fractions.size(); i++) {
                assertTrue(fractions.get(i) > fractions.get(i - 1), "progress by bytes grows");
            }
        }
    }

    @Test
    void runningOutOfDeviceMemoryMidLoadFreesEverything() {
        Path path = RandomGguf.of(RandomGguf.config(false), 9, DType.F32).write(tmp.resolve("o.gguf"));
        try (GgufFile file = GgufFile.open(path);
             TrackingBackend backend = new TrackingBackend(new JavaBackend()).limitBytes(200_000)) {
            ModelConfig config = GgufModelConfig.from(file);
            EngineException e = assertThrows(EngineException.class,
                    () -> GgufLoader.load(file, config, backend, LoadProgress.NONE));
            assertEquals(0, backend.liveBuffers(), e.getMessage());
        }
    }

    /** On a CPU OpenCL device the weights are the mapped file's pages: no device allocation, the same bytes. */
    @Test
    void aCpuDeviceReadsTheWeightsInPlaceFromTheMappedFile() {
        try (GgufFile file = GgufFile.open(GgufFixtures.model("gguf-tiny-k"));
             OpenClBackend backend = OpenClTestSupport.openOrSkip()) {
            Assumptions.assumeTrue(backend.sharesHostMemory(), "the OpenCL device is not a CPU device");
            ModelConfig config = GgufModelConfig.from(file);
            try (ModelWeights weights = GgufLoader.load(file, config, backend, LoadProgress.NONE)) {
                assertEquals(0, backend.allocatedBytes(), "no device allocation for in-place weights");
                List<WeightSpec> specs = WeightLayout.of(config);
                for (int i = 0; i < specs.size(); i++) {
                    DeviceBuffer b = weights.owned().get(i);
                    GgufTensor t = file.tensors().get(GgufLoader.tensorName(specs.get(i).key()));
                    assertEquals(t.dtype(), b.dtype());
                    assertEquals(file.bytes(t, 0, (int) t.bytes()), backend.readBytes(b, 0, b.length()), t.name());
                }
            }
        }
    }

    private Path without(String tensor) {
        ModelConfig config = RandomGguf.config(false);
        GgufWriter w = GgufModelWriter.forModel(config, "m");
        for (WeightSpec spec : WeightLayout.of(config)) {
            String name = GgufLoader.tensorName(spec.key());
            if (!name.equals(tensor)) {
                w.addTensor(name, DType.F32, GgufModelWriter.ne(spec.shape()), ByteBuffer.allocate((int) spec.elements() * 4));
            }
        }
        Path path = tmp.resolve("w.gguf");
        w.write(path);
        return path;
    }

    private static EngineException loadFails(Path path) {
        try (GgufFile file = GgufFile.open(path); TrackingBackend backend = new TrackingBackend(new JavaBackend())) {
            ModelConfig config = GgufModelConfig.from(file);
            EngineException e = assertThrows(EngineException.class,
                    () -> GgufLoader.load(file, config, backend, LoadProgress.NONE));
            assertEquals(0, backend.liveBuffers(), "nothing allocated");
            return e;
        }
    }
}
