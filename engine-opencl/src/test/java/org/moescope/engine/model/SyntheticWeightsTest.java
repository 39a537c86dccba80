package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Profiler;

class SyntheticWeightsTest {

    @Test
    void qwen3_30bPresetHasTheRealShape() {
        ModelConfig c = ModelPresets.resolve("qwen3-30b-a3b");
        assertEquals(2048, c.hiddenSize());
        assertEquals(48, c.numHiddenLayers());
        assertEquals(128, c.numExperts());
        assertEquals(8, c.numExpertsPerTok());
        assertEquals(768, c.moeIntermediateSize());
        assertEquals(32, c.numAttentionHeads());
        assertEquals(4, c.numKeyValueHeads());
        assertEquals(128, c.headDim());
        assertEquals(151936, c.vocabSize());
        assertTrue(c.normTopkProb());
        assertEquals(1e6f, c.ropeTheta());
        assertEquals(40960, c.maxPositionEmbeddings());
        // 48 layers x (attention + router + 128 experts x 3 x 768 x 2048) + embed + lm_head, BF16
        long elements = WeightLayout.totalElements(WeightLayout.of(c));
        assertEquals(30.5e9, elements, 0.2e9, "about 30.5B parameters");
    }

    static float[] logits(ModelConfig config, DType dtype, long seed, int[] ids) {
        try (JavaBackend backend = new JavaBackend();
             ModelWeights w = SyntheticWeights.create(config, dtype, seed, backend, LoadProgress.NONE);
             Transformer t = new Transformer(backend, config, w, ids.length);
             KvCache cache = new KvCache(backend, config, ids.length, "kv")) {
            return t.prefill(ids, cache, true, MoeOptions.DEFAULT, Profiler.OFF, null);
        }
    }

    @Test
    void syntheticModelsAreDeterministicFiniteAndSeeded() {
        ModelConfig tiny = ModelPresets.resolve("qwen3-tiny");
        int[] ids = {1, 2, 3, 100, 300};
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            float[] a = logits(tiny, dtype, 5, ids);
            assertArrayEquals(a, logits(tiny, dtype, 5, ids), "same seed, same model " + dtype);
            float max = 0;
            for (float v : a) {
                assertTrue(Float.isFinite(v));
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 1e-3 && max < 100, "activations keep a sane scale: max |logit| = " + max);
            assertFalse(java.util.Arrays.equals(a, logits(tiny, dtype, 6, ids)), "another seed, another model");
        }
    }

    @Test
    void fewerLayersAndProgressByLayer() {
        ModelConfig c = ModelPresets.resolve("qwen3-tiny").withLayers(2);
        List<String> messages = new ArrayList<>();
        try (JavaBackend backend = new JavaBackend();
             ModelWeights w = SyntheticWeights.create(c, DType.BF16, 1, backend, (f, m) -> messages.add(m))) {
            assertEquals(2, w.layers().size());
            assertTrue(messages.stream().anyMatch(m -> m.startsWith("layer 2/2: experts")), messages.toString());
        }
    }

    @Test
    void tooBigForTheDeviceSaysHowMuchWasNeeded() {
        ModelConfig big = ModelPresets.resolve("qwen3-30b-a3b");
        TrackingBackend backend = new TrackingBackend(new JavaBackend());
        EngineException e = assertThrows(EngineException.class,
                () -> SyntheticWeights.create(big, DType.BF16, 1, backend, LoadProgress.NONE));
        assertTrue(e.getMessage().contains("out of device memory") && e.getMessage().contains("GiB"), e.getMessage());
        assertTrue(e.getMessage().contains("56."), "30.5B BF16 parameters = 56.9 GiB: " + e.getMessage());
        assertEquals(0, backend.liveBuffers());

        TrackingBackend limited = new TrackingBackend(new JavaBackend()).limitBytes(20_000);
        EngineException mid = assertThrows(EngineException.class, () -> SyntheticWeights.create(
                ModelPresets.resolve("qwen3-tiny"), DType.F32, 1, limited, LoadProgress.NONE));
        assertTrue(mid.getMessage().contains("need"), mid.getMessage());
        assertEquals(0, limited.liveBuffers());
    }
}
