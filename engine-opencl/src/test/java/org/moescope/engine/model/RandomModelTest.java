package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Profiler;

/**
 * Random small checkpoints (not tuned to one model): dense layers mixed in, tied embeddings, norm_topk_prob false,
 * F32/F16/BF16 and mixed dtypes, sizes that are not multiples of any tile, both config.json styles.
 * Checked against {@link HostReferenceModel} (double precision, from the HF modelling code), and for the internal
 * consistency of the three paths: decode at step t equals prefill at position t; batched decode equals decode.
 */
class RandomModelTest {

    @TempDir
    Path tmp;

    /** name, config, config style, weight dtypes */
    static List<Arguments> models() {
        return List.of(
                Arguments.of("sparse-step-2 tied no-renorm F16 4.x",
                        config(36, 3, 4, 2, 10, 20, 28, 5, 2, false, 2, List.of(), true, 97), false, new DType[] {DType.F16}),
                Arguments.of("mlp-only-layers mixed-dtypes 5.x",
                        config(40, 3, 2, 1, 14, 18, 30, 7, 3, true, 1, List.of(2), false, 131), true,
                        new DType[] {DType.F32, DType.BF16, DType.F16}),
                Arguments.of("dense-only BF16",
                        config(24, 2, 3, 3, 8, 8, 20, 0, 0, false, 1, List.of(), false, 50), true, new DType[] {DType.BF16}),
                Arguments.of("all-moe top-1 F32",
                        config(33, 2, 6, 3, 6, 13, 17, 9, 1, true, 1, List.of(), true, 71), false, new DType[] {DType.F32}));
    }

    static ModelConfig config(int hidden, int layers, int heads, int kvHeads, int headDim, int moeInter, int inter,
                              int experts, int topK, boolean normTopk, int sparseStep, List<Integer> mlpOnly,
                              boolean tied, int vocab) {
        return new ModelConfig(ModelConfig.MODEL_TYPE, hidden, layers, heads, kvHeads, headDim, moeInter, inter, experts,
                topK, normTopk, sparseStep, mlpOnly, 1e-6f, 10_000f, 64, vocab, tied, List.of(), DType.BF16);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : TestBackends.kinds()) {
            for (Arguments m : models()) {
                Object[] a = m.get();
                out.add(Arguments.of(kind, a[0], a[1], a[2], a[3]));
            }
        }
        return out.stream();
    }

    private record Loaded(Backend backend, ModelConfig config, ModelWeights weights, Transformer model,
                          SafetensorsWriter tensors) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
            weights.close();
            backend.close();
        }
    }

    private Loaded load(String kind, ModelConfig config, boolean newStyle, DType[] dtypes) throws IOException {
        long seed = config.hiddenSize() * 31L + config.vocabSize();
        Path dir = RandomCheckpoint.write(tmp.resolve("model"), config, newStyle, seed, dtypes);
        ModelConfig parsed = ModelConfig.load(dir);
        assertEquals(config, parsed.withLayers(config.numHiddenLayers()), "config round trip");
        Backend backend = TestBackends.open(kind);
        ModelWeights weights;
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            weights = CheckpointLoader.load(checkpoint, parsed, backend, LoadProgress.NONE);
        }
        return new Loaded(backend, parsed, weights, new Transformer(backend, parsed, weights, 3),
                RandomCheckpoint.tensors(config, seed, dtypes));
    }

    static int[] prompt(ModelConfig c, int length, long seed) {
        Random r = new Random(seed);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = r.nextInt(c.vocabSize());
        }
        return ids;
    }

    static float maxAbs(float[] a) {
        float m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillMatchesHostReference(String kind, String name, ModelConfig config, boolean newStyle, DType[] dtypes)
            throws IOException {
        try (Loaded m = load(kind, config, newStyle, dtypes)) {
            int[] ids = prompt(config, 9, 5);
            double[] expected = new HostReferenceModel(config, m.tensors()).prefill(ids);
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                try (KvCache cache = new KvCache(m.backend(), config, ids.length, "kv")) {
                    float[] logits = m.model().prefill(ids, cache, true, options, Profiler.OFF, null);
                    // F32 accumulation against double: 1e-4 of the largest logit
                    float tolerance = 1e-4f * maxAbs(logits) + 1e-6f;
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], logits[i], tolerance, name + " " + options.label() + " logit " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void decodeAtStepTEqualsPrefillAtPositionT(String kind, String name, ModelConfig config, boolean newStyle,
                                               DType[] dtypes) throws IOException {
        try (Loaded m = load(kind, config, newStyle, dtypes)) {
            int[] ids = prompt(config, 8, 11);
            int vocab = config.vocabSize();
            float[] all;
            try (KvCache cache = new KvCache(m.backend(), config, ids.length, "kv")) {
                all = m.model().prefill(ids, cache, true, MoeOptions.DEFAULT, Profiler.OFF, null);
            }
            float tolerance = 1e-4f * maxAbs(all) + 1e-6f;
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                try (KvCache cache = new KvCache(m.backend(), config, ids.length, "kv")) {
                    // prefill the first 3 tokens (last-token logits only), then decode one by one
                    float[] last = m.model().prefill(new int[] {ids[0], ids[1], ids[2]}, cache, false, options,
                            Profiler.OFF, null);
                    assertRow(all, 2, last, 0, vocab, tolerance, name + " prefill last row");
                    for (int t = 3; t < ids.length; t++) {
                        float[] step = m.model().decode(ids[t], cache, options, Profiler.OFF, null);
                        assertRow(all, t, step, 0, vocab, tolerance, name + " " + options.label() + " decode t=" + t);
                    }
                    assertEquals(ids.length, cache.length());
                }
                try (KvCache cache = new KvCache(m.backend(), config, ids.length, "kv")) {
                    // chunked prefill: the second chunk starts at position 3 of the cache
                    m.model().prefill(java.util.Arrays.copyOf(ids, 3), cache, false, options, Profiler.OFF, null);
                    float[] chunk = m.model().prefill(java.util.Arrays.copyOfRange(ids, 3, 6), cache, true, options,
                            Profiler.OFF, null);
                    for (int t = 3; t < 6; t++) {
                        assertRow(all, t, chunk, t - 3, vocab, tolerance, name + " " + options.label() + " chunk t=" + t);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void batchedDecodeEqualsSingleSequenceDecode(String kind, String name, ModelConfig config, boolean newStyle,
                                                 DType[] dtypes) throws IOException {
        try (Loaded m = load(kind, config, newStyle, dtypes)) {
            int batch = 3;
            int steps = 3;
            int vocab = config.vocabSize();
            int[][] prompts = {prompt(config, 4, 1), prompt(config, 2, 2), prompt(config, 6, 3)};
            int[][] next = {prompt(config, steps, 4), prompt(config, steps, 5), prompt(config, steps, 6)};
            // expected: each sequence alone
            float[][][] expected = new float[batch][steps][];
            for (int b = 0; b < batch; b++) {
                try (KvCache cache = new KvCache(m.backend(), config, 16, "kv")) {
                    m.model().prefill(prompts[b], cache, false, MoeOptions.DEFAULT, Profiler.OFF, null);
                    for (int s = 0; s < steps; s++) {
                        expected[b][s] = m.model().decode(next[b][s], cache, MoeOptions.DEFAULT, Profiler.OFF, null);
                    }
                }
            }
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                KvCache[] caches = new KvCache[batch];
                try {
                    for (int b = 0; b < batch; b++) {
                        caches[b] = new KvCache(m.backend(), config, 16, "kv" + b);
                        m.model().prefill(prompts[b], caches[b], false, options, Profiler.OFF, null);
                    }
                    for (int s = 0; s < steps; s++) {
                        int[] tokens = {next[0][s], next[1][s], next[2][s]};
                        float[] logits = m.model().batchedDecode(tokens, caches, options, Profiler.OFF, null);
                        for (int b = 0; b < batch; b++) {
                            float tolerance = 1e-4f * maxAbs(expected[b][s]) + 1e-6f;
                            assertRow(expected[b][s], 0, logits, b, vocab, tolerance,
                                    name + " " + options.label() + " seq " + b + " step " + s);
                        }
                    }
                } finally {
                    for (KvCache c : caches) {
                        if (c != null) {
                            c.close();
                        }
                    }
                }
            }
        }
    }

    static void assertRow(float[] expected, int expectedRow, float[] actual, int actualRow, int n, float tolerance,
                          String what) {
        for (int i = 0; i < n; i++) {
            assertEquals(expected[expectedRow * n + i], actual[actualRow * n + i], tolerance, what + " [" + i + "]");
        }
    }
}
