package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;

class ModelConfigTest {

    static final Path HF_TINY = Path.of("src/test/resources/org/moescope/engine/hf-qwen3moe-tiny");

    @Test
    void parsesTransformers5Names() {
        ModelConfig c = ModelConfig.load(HF_TINY);
        assertEquals(48, c.hiddenSize());
        assertEquals(2, c.numHiddenLayers());
        assertEquals(3, c.numAttentionHeads());
        assertEquals(1, c.numKeyValueHeads());
        assertEquals(16, c.headDim());
        assertEquals(24, c.moeIntermediateSize());
        assertEquals(64, c.intermediateSize());
        assertEquals(6, c.numExperts(), "num_local_experts");
        assertEquals(3, c.numExpertsPerTok());
        assertTrue(c.normTopkProb());
        assertEquals(10000f, c.ropeTheta(), "rope_parameters.rope_theta");
        assertEquals(1e-6f, c.rmsNormEps());
        assertEquals(256, c.maxPositionEmbeddings());
        assertEquals(320, c.vocabSize());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(DType.BF16, c.dtype(), "dtype");
        assertEquals(List.of(), c.eosTokenIds(), "eos_token_id null in both files");
        assertTrue(c.isMoeLayer(0) && c.isMoeLayer(1));
    }

    @Test
    void parsesTransformers4NamesAndDefaults() {
        String json = """
                {"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 8,
                 "num_experts": 16, "num_experts_per_tok": 4, "rope_theta": 1000000.0, "torch_dtype": "float16",
                 "vocab_size": 1000, "eos_token_id": 7, "decoder_sparse_step": 2, "mlp_only_layers": [3]}
                """;
        ModelConfig c = ModelConfig.parse(json, "{\"eos_token_id\": [7, 9]}", "config.json");
        assertEquals(16, c.numExperts());
        assertEquals(1e6f, c.ropeTheta());
        assertEquals(DType.F16, c.dtype());
        assertEquals(8, c.numKeyValueHeads(), "defaults to num_attention_heads");
        assertEquals(8, c.headDim(), "defaults to hidden / heads");
        assertEquals(768, c.moeIntermediateSize(), "HF default");
        assertEquals(List.of(7, 9), c.eosTokenIds(), "config and generation_config merged without duplicates");
        // HF: MoE iff (L + 1) % step == 0 and L not in mlp_only_layers
        assertFalse(c.isMoeLayer(0));
        assertTrue(c.isMoeLayer(1));
        assertFalse(c.isMoeLayer(2));
        assertFalse(c.isMoeLayer(3), "mlp_only_layers");
    }

    @Test
    void noExpertsMeansEveryLayerIsDense() {
        ModelConfig c = ModelConfig.parse("""
                {"model_type": "qwen3_moe", "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                 "num_experts": 0, "vocab_size": 50}""", null, "c");
        assertFalse(c.hasMoeLayers());
    }

    @Test
    void refusesOtherModelTypesByName() {
        EngineException e = assertThrows(EngineException.class, () -> ModelConfig.parse(
                "{\"model_type\": \"llama\", \"hidden_size\": 8}", null, "config.json"));
        assertTrue(e.getMessage().contains("'llama'") && e.getMessage().contains("qwen3_moe"), e.getMessage());
    }

    @Test
    void missingAndInvalidFieldsAreNamed() {
        EngineException missing = assertThrows(EngineException.class, () -> ModelConfig.parse(
                "{\"model_type\": \"qwen3_moe\", \"hidden_size\": 8, \"num_attention_heads\": 2, \"vocab_size\": 9}",
                null, "config.json"));
        assertTrue(missing.getMessage().contains("num_hidden_layers"), missing.getMessage());
        EngineException gqa = assertThrows(EngineException.class, () -> ModelConfig.parse("""
                {"model_type": "qwen3_moe", "hidden_size": 48, "num_hidden_layers": 1, "num_attention_heads": 3,
                 "num_key_value_heads": 2, "vocab_size": 9}""", null, "config.json"));
        assertTrue(gqa.getMessage().contains("num_key_value_heads"), gqa.getMessage());
        EngineException malformed = assertThrows(EngineException.class, () -> ModelConfig.parse("{not json", null, "x.json"));
        assertTrue(malformed.getMessage().contains("x.json"), malformed.getMessage());
    }

    @Test
    void roundTripsThroughBothWritingStyles() {
        ModelConfig original = new ModelConfig(ModelConfig.MODEL_TYPE, 40, 3, 4, 2, 10, 12, 20, 5, 2, false, 2,
                List.of(0), 1e-5f, 5000f, 128, 77, true, List.of(3, 4), DType.BF16);
        for (boolean newStyle : new boolean[] {true, false}) {
            ModelConfig parsed = ModelConfig.parse(RandomCheckpoint.configJson(original, newStyle), null, "c");
            assertEquals(original, parsed, newStyle ? "5.x" : "4.x");
        }
    }
}
