package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.ModelConfig;

class GgufModelConfigTest {

    @TempDir
    Path tmp;

    /** The fixture's config.json, with the GGUF file's weight type (config.json says float32). */
    @ParameterizedTest
    @ValueSource(strings = {"gguf-tiny-k", "gguf-tiny-q8", "gguf-sample-q8"})
    void matchesTheConfigOfEachFixture(String name) throws IOException {
        ModelConfig hf = ModelConfig.parse(GgufFixtures.fixtureJson(name).get("config").toString(), null, name);
        try (GgufFile f = GgufFile.open(GgufFixtures.model(name))) {
            ModelConfig c = GgufModelConfig.from(f);
            assertEquals(withDtype(hf, c.dtype()), c);
            assertEquals(name.equals("gguf-tiny-k") ? DType.Q4_K : DType.Q8_0, c.dtype());
        }
    }

    @Test
    void roundTripsThroughTheModelWriterWithDefaultsWhereKeysAreAbsent() {
        ModelConfig config = RandomGguf.config(true);
        Path path = tmp.resolve("m.gguf");
        GgufWriter w = GgufModelWriter.forModel(config, "m")
                .put("tokenizer.ggml.tokens", GgufValue.strings(java.util.Collections.nCopies(96, "x")));
        w.write(path);
        try (GgufFile f = GgufFile.open(path)) {
            assertEquals(withDtype(config, DType.F32), GgufModelConfig.from(f), "tied: no output.weight");
        }
        // without expert_weights_norm, key_length and the optional keys: llama.cpp's defaults
        GgufWriter bare = new GgufWriter();
        GgufModelWriter.forModel(config, "m").write(tmp.resolve("full.gguf"));
        try (GgufFile full = GgufFile.open(tmp.resolve("full.gguf"))) {
            full.metadata().forEach((k, v) -> {
                if (!k.endsWith("expert_weights_norm") && !k.endsWith("key_length") && !k.endsWith("value_length")
                        && !k.endsWith("context_length") && !k.endsWith("head_count_kv")) {
                    bare.put(k, v);
                }
            });
        }
        bare.addTensor("token_embd.weight", DType.F16, new long[] {64, 96}, java.nio.ByteBuffer.allocate(64 * 96 * 2));
        bare.addTensor("output.weight", DType.F32, new long[] {64, 96}, java.nio.ByteBuffer.allocate(64 * 96 * 4));
        bare.write(tmp.resolve("bare.gguf"));
        try (GgufFile f = GgufFile.open(tmp.resolve("bare.gguf"))) {
            ModelConfig c = GgufModelConfig.from(f);
            assertTrue(c.normTopkProb(), "expert_weights_norm defaults to true");
            assertEquals(16, c.headDim(), "embedding_length / head_count");
            assertEquals(4, c.numKeyValueHeads(), "head_count_kv defaults to head_count");
            assertEquals(32768, c.maxPositionEmbeddings());
            assertEquals(96, c.vocabSize(), "from token_embd when there is no token list");
            assertFalse(c.tieWordEmbeddings(), "output.weight present");
        }
    }

    @Test
    void expertWeightsNormFalseIsHonoured() {
        ModelConfig config = RandomGguf.config(false);
        GgufModelWriter.forModel(config, "m").put("qwen3moe.expert_weights_norm", GgufValue.bool(false))
                .put("tokenizer.ggml.tokens", GgufValue.strings(java.util.Collections.nCopies(96, "x")))
                .write(tmp.resolve("m.gguf"));
        try (GgufFile f = GgufFile.open(tmp.resolve("m.gguf"))) {
            assertFalse(GgufModelConfig.from(f).normTopkProb());
        }
    }

    @Test
    void anotherArchitectureIsNamedWithTheSupportedOnes() {
        new GgufWriter().put("general.architecture", GgufValue.string("llama")).write(tmp.resolve("l.gguf"));
        try (GgufFile f = GgufFile.open(tmp.resolve("l.gguf"))) {
            EngineException e = assertThrows(EngineException.class, () -> GgufModelConfig.from(f));
            assertTrue(e.getMessage().contains("'llama'") && e.getMessage().contains("qwen3moe"), e.getMessage());
        }
    }

    @Test
    void aMissingRequiredKeyOrAWrongTypeIsNamed() {
        ModelConfig config = RandomGguf.config(true);
        GgufWriter w = GgufModelWriter.forModel(config, "m");
        w.put("qwen3moe.expert_count", GgufValue.string("eight"));
        w.write(tmp.resolve("t.gguf"));
        try (GgufFile f = GgufFile.open(tmp.resolve("t.gguf"))) {
            EngineException e = assertThrows(EngineException.class, () -> GgufModelConfig.from(f));
            assertTrue(e.getMessage().contains("qwen3moe.expert_count") && e.getMessage().contains("STRING"), e.getMessage());
        }
        new GgufWriter().put("general.architecture", GgufValue.string("qwen3moe")).write(tmp.resolve("e.gguf"));
        try (GgufFile f = GgufFile.open(tmp.resolve("e.gguf"))) {
            EngineException e = assertThrows(EngineException.class, () -> GgufModelConfig.from(f));
            assertTrue(e.getMessage().contains("no 'qwen3moe."), e.getMessage());
        }
    }

    static ModelConfig withDtype(ModelConfig c, DType dtype) {
        return new ModelConfig(c.modelType(), c.hiddenSize(), c.numHiddenLayers(), c.numAttentionHeads(),
                c.numKeyValueHeads(), c.headDim(), c.moeIntermediateSize(), c.intermediateSize(), c.numExperts(),
                c.numExpertsPerTok(), c.normTopkProb(), c.decoderSparseStep(), c.mlpOnlyLayers(), c.rmsNormEps(),
                c.ropeTheta(), c.maxPositionEmbeddings(), c.vocabSize(), c.tieWordEmbeddings(), c.eosTokenIds(), dtype);
    }
}
