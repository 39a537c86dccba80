package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Profiler;

/** The OpenCL backend against the Java reference on whole models: synthetic weights bit for bit, logits of all paths. */
class BackendParityTest {

    /** qwen3-tiny with one dense layer mixed in and tied embeddings. */
    static final ModelConfig CONFIG = RandomModelTest.config(64, 3, 4, 2, 16, 40, 96, 8, 2, true, 1, List.of(1), true, 301);

    @Test
    void syntheticWeightsAreIdenticalOnBothBackends() {
        for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.F32}) {
            try (Backend cl = OpenClTestSupport.openOrSkip();
                 JavaBackend java = new JavaBackend();
                 ModelWeights a = SyntheticWeights.create(CONFIG, dtype, 9, cl, LoadProgress.NONE);
                 ModelWeights b = SyntheticWeights.create(CONFIG, dtype, 9, java, LoadProgress.NONE)) {
                assertEquals(a.owned().size(), b.owned().size());
                for (int i = 0; i < a.owned().size(); i++) {
                    DeviceBuffer x = a.owned().get(i);
                    DeviceBuffer y = b.owned().get(i);
                    assertEquals(y.name(), x.name());
                    assertArrayEquals(java.readFloats(y, 0, (int) y.length()), cl.readFloats(x, 0, (int) x.length()),
                            dtype + " " + x.name());
                }
            }
        }
    }

    @Test
    void allThreePathsMatchTheJavaReference() {
        int[] prompt = {3, 250, 17, 99, 4, 300, 1};
        int[][] next = {{5, 6}, {7, 8}};
        try (Backend cl = OpenClTestSupport.openOrSkip(); JavaBackend java = new JavaBackend()) {
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                float[] expected = run(java, prompt, next, options);
                float[] actual = run(cl, prompt, next, options);
                float tolerance = 1e-4f * RandomModelTest.maxAbs(expected) + 1e-6f;
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], tolerance, options.label() + " output " + i);
                }
            }
        }
    }

    @Test
    void warmUpLeavesNoStateBehind() {
        for (String kind : TestBackends.kinds()) {
            TrackingBackend backend = new TrackingBackend(TestBackends.open(kind));
            try (ModelWeights w = SyntheticWeights.create(CONFIG, DType.BF16, 4, backend, LoadProgress.NONE);
                 Transformer t = new Transformer(backend, CONFIG, w, 4)) {
                int[] prompt = {3, 250, 17};
                float[] before;
                try (KvCache c = new KvCache(backend, CONFIG, 4, "kv")) {
                    before = t.prefill(prompt, c, true, MoeOptions.DEFAULT, Profiler.OFF, null);
                }
                int buffers = backend.liveBuffers();
                t.warmUp();
                assertEquals(buffers, backend.liveBuffers(), kind + ": warm-up caches released, scratch kept");
                try (KvCache c = new KvCache(backend, CONFIG, 4, "kv")) {
                    assertArrayEquals(before, t.prefill(prompt, c, true, MoeOptions.DEFAULT, Profiler.OFF, null), kind);
                }
            } finally {
                backend.close();
            }
        }
    }

    /** Prefill logits of every position, then 2 batched decode steps of 2 sequences, concatenated. */
    private static float[] run(Backend backend, int[] prompt, int[][] next, MoeOptions options) {
        try (ModelWeights w = SyntheticWeights.create(CONFIG, DType.BF16, 4, backend, LoadProgress.NONE);
             Transformer t = new Transformer(backend, CONFIG, w, 2);
             KvCache a = new KvCache(backend, CONFIG, 16, "a");
             KvCache b = new KvCache(backend, CONFIG, 16, "b")) {
            float[] prefill = t.prefill(prompt, a, true, options, Profiler.OFF, null);
            t.prefill(new int[] {prompt[0], prompt[1]}, b, false, options, Profiler.OFF, null);
            float[] step1 = t.batchedDecode(new int[] {next[0][0], next[1][0]}, new KvCache[] {a, b}, options, Profiler.OFF, null);
            float[] step2 = t.decode(next[0][1], a, options, Profiler.OFF, null);
            float[] out = new float[prefill.length + step1.length + step2.length];
            System.arraycopy(prefill, 0, out, 0, prefill.length);
            System.arraycopy(step1, 0, out, prefill.length, step1.length);
            System.arraycopy(step2, 0, out, prefill.length + step1.length, step2.length);
            return out;
        }
    }
}
