package org.moescope.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.model.LoadCancelledException;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.TrackingBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

class InferenceSessionTest {

    static final Path HF_TINY = Path.of("src/test/resources/org/moescope/engine/hf-qwen3moe-tiny");
    /** reference.json's prompt and greedy continuation. */
    static final int[] PROMPT;
    static final int[] GREEDY;

    static {
        try {
            JsonObject ref = new Gson().fromJson(Files.readString(HF_TINY.resolve("reference.json")), JsonObject.class);
            PROMPT = new Gson().fromJson(ref.get("prompt_ids"), int[].class);
            GREEDY = new Gson().fromJson(ref.get("greedy_continuation"), int[].class);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @TempDir
    Path tmp;

    static InferenceSession openTiny() {
        return InferenceSession.open(new ModelSource.Folder(HF_TINY), new JavaBackend(), null);
    }

    @Test
    void describesTheModelAndWorksWithoutTokenizer() {
        List<Double> fractions = new ArrayList<>();
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(HF_TINY), new JavaBackend(),
                (f, m) -> fractions.add(f))) {
            assertEquals("hf-qwen3moe-tiny", s.modelName());
            assertEquals(48, s.config().hiddenSize());
            assertEquals("REFERENCE", s.device().kind());
            assertFalse(s.hasTokenizer());
            assertThrows(EngineException.class, () -> s.encode("hello"));
            assertEquals("[1 2 3]", s.decode(new int[] {1, 2, 3}));
            assertEquals("[7]", s.tokenText(7));
        }
        assertFalse(fractions.isEmpty());
        for (int i = 1; i < fractions.size(); i++) {
            assertTrue(fractions.get(i) >= fractions.get(i - 1), "progress never goes back");
        }
        assertEquals(1.0, fractions.get(fractions.size() - 1), 1e-9);
    }

    @Test
    void opensByDeviceSelector() {
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(HF_TINY), "java", null)) {
            assertEquals("REFERENCE", s.device().kind());
            s.prefill(PROMPT, 1, 1, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            assertArrayEquals(new int[] {GREEDY[0]}, s.generatedTokens().get(0));
        }
    }

    @Test
    void stepsReportPhasesTokensAndFinish() {
        try (InferenceSession s = openTiny()) {
            assertThrows(IllegalStateException.class, () -> s.step(MoeOptions.DEFAULT, false), "no prefill yet");
            StepResult prefill = s.prefill(PROMPT, 1, 4, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            assertEquals(0, prefill.step());
            assertEquals(Phase.PREFILL, prefill.phase());
            assertEquals(PROMPT.length, prefill.tokensProcessed());
            assertArrayEquals(new int[] {GREEDY[0]}, prefill.newTokens());
            assertArrayEquals(new String[] {""}, prefill.newText());
            assertTrue(prefill.spans().isEmpty(), "profiling off");
            assertNull(prefill.routing());
            assertFalse(prefill.finished());
            for (int i = 1; i < 4; i++) {
                StepResult r = s.step(MoeOptions.DEFAULT, false);
                assertEquals(i, r.step());
                assertEquals(Phase.DECODE, r.phase());
                assertEquals(1, r.tokensProcessed());
                assertArrayEquals(new int[] {GREEDY[i]}, r.newTokens());
                assertEquals(i == 3, r.finished(), "budget of 4 new tokens");
            }
            assertTrue(s.finished());
            assertThrows(IllegalStateException.class, () -> s.step(MoeOptions.DEFAULT, false), "finished");
            assertArrayEquals(new int[] {GREEDY[0], GREEDY[1], GREEDY[2], GREEDY[3]}, s.generatedTokens().get(0));
            s.reset();
            assertTrue(s.generatedTokens().isEmpty());
        }
    }

    @Test
    void batchedSequencesMatchTheSingleSequenceAndDecodeBatched() {
        try (InferenceSession s = openTiny()) {
            s.prefill(PROMPT, 3, 6, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            for (int i = 1; i < 6; i++) {
                StepResult r = s.step(MoeOptions.DEFAULT.withFusedGateUpSilu(i % 2 == 0), false);
                assertEquals(Phase.BATCHED_DECODE, r.phase());
                assertEquals(3, r.tokensProcessed());
                assertEquals(3, r.newTokens().length);
            }
            for (int[] seq : s.generatedTokens()) {
                assertArrayEquals(java.util.Arrays.copyOf(GREEDY, 6), seq, "greedy batch rows equal the reference");
            }
        }
    }

    @Test
    void samplingIsReproducibleFromTheSeed() {
        SamplingSettings sampling = new SamplingSettings(1.5f, 0.95f, 1234);
        List<int[]> first;
        try (InferenceSession s = openTiny()) {
            run(s, sampling, 2, 8);
            first = s.generatedTokens();
            run(s, sampling, 2, 8);
            for (int b = 0; b < 2; b++) {
                assertArrayEquals(first.get(b), s.generatedTokens().get(b), "same seed, same tokens, sequence " + b);
            }
        }
        try (InferenceSession other = InferenceSession.open(new ModelSource.Folder(HF_TINY), new JavaBackend(), null)) {
            run(other, sampling, 2, 8);
            assertArrayEquals(first.get(1), other.generatedTokens().get(1), "and in a fresh session");
        }
    }

    private static void run(InferenceSession s, SamplingSettings sampling, int batch, int tokens) {
        s.prefill(PROMPT, batch, tokens, sampling, MoeOptions.DEFAULT, false);
        while (!s.finished()) {
            s.step(MoeOptions.DEFAULT, false);
        }
    }

    @Test
    void profilingGivesNamedSpansAndRoutingHasEveryMoeLayer() {
        MoeOptions profiled = MoeOptions.DEFAULT.withProfiling(true);
        try (InferenceSession s = openTiny()) {
            StepResult p = s.prefill(PROMPT, 2, 3, SamplingSettings.GREEDY, profiled, true);
            Set<String> stages = new TreeSet<>();
            for (StageSpan span : p.spans()) {
                assertEquals(0, span.step());
                assertEquals(Phase.PREFILL, span.phase());
                assertTrue(span.endNanos() >= span.startNanos());
                stages.add(span.layer() + ":" + span.block() + ":" + span.stage());
            }
            for (String expected : new String[] {"-1:model:embed", "-1:model:final_norm", "-1:model:lm_head",
                    "0:attention:input_norm", "0:attention:qkv", "0:attention:qk_norm", "0:attention:rope",
                    "0:attention:attn", "0:attention:o_proj", "0:attention:residual", "1:moe:router",
                    "1:moe:route_ids", "1:moe:gate", "1:moe:down", "1:moe:wsum", "1:moe:residual"}) {
                assertTrue(stages.contains(expected), expected + " in " + stages);
            }
            assertNotNull(p.routing());
            assertEquals(2, p.routing().layers().size());
            LayerRouting r = p.routing().layers().get(1);
            assertEquals(PROMPT.length, r.tokens());
            assertEquals(PROMPT.length * 6, r.probs().length);
            assertArrayEquals(PROMPT, p.routing().tokenIds());

            StepResult d = s.step(profiled, true);
            assertEquals(Phase.BATCHED_DECODE, d.phase());
            assertTrue(d.spans().stream().allMatch(x -> x.step() == 1 && x.tokens() == 2));
            assertEquals(2, d.routing().layers().get(0).tokens());
            assertArrayEquals(new int[] {0, 1}, d.routing().sequences());
            assertArrayEquals(new int[] {PROMPT.length, PROMPT.length}, d.routing().positions());
            assertTrue(s.step(MoeOptions.DEFAULT, false).spans().isEmpty());
        }
    }

    @Test
    void badRequestsAreRefusedBeforeAnyWorkAndTheSessionStaysUsable() {
        try (InferenceSession s = openTiny()) {
            MoeOptions o = MoeOptions.DEFAULT;
            SamplingSettings g = SamplingSettings.GREEDY;
            assertMessage(assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[0], 1, 4, g, o, false)), "empty");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[] {3, 320}, 1, 4, g, o, false)),
                    "promptIds[1] = 320", "vocabulary");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> s.prefill(new int[] {-1}, 1, 4, g, o, false)),
                    "promptIds[0] = -1");
            assertMessage(assertThrows(IllegalArgumentException.class, () -> s.prefill(PROMPT, 1, 217, g, o, false)),
                    "257", "max_position_embeddings = 256");
            assertThrows(IllegalArgumentException.class, () -> s.prefill(PROMPT, 0, 4, g, o, false));
            assertThrows(IllegalArgumentException.class, () -> s.prefill(PROMPT, 1, 0, g, o, false));
            assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(1, 0, 1));
            // still usable, and the maximum context is accepted
            s.prefill(PROMPT, 1, 216, g, o, false);
            assertEquals(GREEDY[0], s.generatedTokens().get(0)[0]);
        }
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void outOfMemoryForKvCachesLeavesTheSessionUsable() {
        TrackingBackend tracked = new TrackingBackend(new JavaBackend());
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(HF_TINY), tracked, null)) {
            long loaded = tracked.liveBytes();
            int buffers = tracked.liveBuffers();
            tracked.limitBytes(loaded + 300_000); // KV: 2 layers x 2 x 16 floats = 256 bytes per position
            EngineException e = assertThrows(EngineException.class,
                    () -> s.prefill(PROMPT, 64, 200, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false));
            assertMessage(e, "out of device memory", "kv.seq");
            assertEquals(buffers, tracked.liveBuffers(), "the failed request's caches are released");
            StepResult r = s.prefill(PROMPT, 2, 3, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            assertArrayEquals(new int[] {GREEDY[0], GREEDY[0]}, r.newTokens());
        }
    }

    @Test
    void eosEndsTheSequence() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("eos"));
        for (String f : new String[] {"model.safetensors", "generation_config.json"}) {
            Files.copy(HF_TINY.resolve(f), dir.resolve(f));
        }
        JsonObject config = new Gson().fromJson(Files.readString(HF_TINY.resolve("config.json")), JsonObject.class);
        config.addProperty("eos_token_id", GREEDY[2]);
        Files.writeString(dir.resolve("config.json"), config.toString());
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(dir), new JavaBackend(), null)) {
            s.prefill(PROMPT, 1, 10, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            s.step(MoeOptions.DEFAULT, false);
            StepResult r = s.step(MoeOptions.DEFAULT, false);
            assertTrue(r.finished());
            assertArrayEquals(new int[] {GREEDY[0], GREEDY[1], GREEDY[2]}, s.generatedTokens().get(0));
        }
    }

    @Test
    void failedOpenLeavesNothingAllocated() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("broken"));
        Files.copy(HF_TINY.resolve("config.json"), dir.resolve("config.json"));
        Files.copy(HF_TINY.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        TrackingBackend limited = new TrackingBackend(new JavaBackend()).limitBytes(100_000);
        EngineException e = assertThrows(EngineException.class,
                () -> InferenceSession.open(new ModelSource.Folder(dir), limited, null));
        assertMessage(e, "out of device memory");
        assertEquals(0, limited.liveBuffers());
        assertTrue(limited.closed(), "the session owned the backend");

        TrackingBackend tracked = new TrackingBackend(new JavaBackend());
        InferenceSession s = InferenceSession.open(new ModelSource.Folder(dir), tracked, null);
        s.prefill(PROMPT, 2, 3, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
        s.close();
        assertEquals(0, tracked.liveBuffers(), "close releases weights, scratch and caches");
    }

    /** Asks to cancel at its {@code cancelAt}-th ask; counts asks and the progress reports that came after the cancel. */
    private static final class CancelAt implements LoadProgress {
        final int cancelAt;
        int asks;
        int reports;
        int reportsAfterCancel;

        CancelAt(int cancelAt) {
            this.cancelAt = cancelAt;
        }

        @Override
        public void progress(double fraction, String message) {
            reports++;
            if (asks >= cancelAt) {
                reportsAfterCancel++;
            }
        }

        @Override
        public boolean cancelRequested() {
            asks++;
            return asks >= cancelAt;
        }
    }

    @Test
    void aCancelledLoadStopsAtOnceAndLeavesNothingAllocated() {
        List<ModelSource> sources = List.of(new ModelSource.Folder(HF_TINY),
                new ModelSource.Synthetic("qwen3-tiny", 2, org.moescope.engine.backend.DType.BF16, 1));
        for (ModelSource source : sources) {
            CancelAt never = new CancelAt(Integer.MAX_VALUE);
            TrackingBackend counted = new TrackingBackend(new JavaBackend());
            InferenceSession.open(source, counted, never).close();
            // one report per weight buffer and one at the end; asked before each buffer and before warm-up, and a
            // per-expert checkpoint also before each expert's slice of a stacked buffer
            assertTrue(never.reports > 10, source + ": " + never.reports + " reports");
            if (source instanceof ModelSource.Folder) {
                assertTrue(never.asks > never.reports, "asked per slice: " + never.asks + " asks, " + never.reports + " reports");
            } else {
                assertEquals(never.reports, never.asks, "asked per buffer and before warm-up");
            }
            for (int k = 1; k <= never.asks; k++) {
                CancelAt cancel = new CancelAt(k);
                TrackingBackend tracked = new TrackingBackend(new JavaBackend());
                LoadCancelledException e = assertThrows(LoadCancelledException.class,
                        () -> InferenceSession.open(source, tracked, cancel), source + ", cancel at ask " + k);
                assertMessage(e, "cancelled", "nothing");
                assertEquals(k, cancel.asks, "the load stopped at the ask that cancelled it");
                assertEquals(0, cancel.reportsAfterCancel, "no progress after the cancel");
                assertEquals(0, tracked.liveBuffers(), source + ", cancel at ask " + k + ": everything freed");
                assertTrue(tracked.closed(), "the session owned the backend");
            }
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @Test
    void theKvCacheTypeRoundsTheCacheAndNothingElse() {
        TrackingBackend tracked = new TrackingBackend(new JavaBackend());
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(HF_TINY), tracked, null)) {
            assertEquals(DType.F32, s.kvCacheDType(), "F32 unless asked");
            ScoreResult f32 = s.score(PROMPT, 4, MoeOptions.DEFAULT);
            double logitScale = 0;
            for (float v : f32.prefillLogits()) {
                logitScale = Math.max(logitScale, Math.abs(v));
            }
            for (DType kv : List.of(DType.F16, DType.BF16)) {
                s.setKvCacheDType(kv);
                ScoreResult r = s.score(PROMPT, 4, MoeOptions.DEFAULT);
                double diff = maxAbsDiff(f32.prefillLogits(), r.prefillLogits());
                assertTrue(diff > 0, kv + ": the stored keys and values were rounded");
                assertTrue(diff < (kv == DType.F16 ? 2e-3 : 1e-2) * logitScale, kv + ": " + diff + " against |logits| up to " + logitScale);
                assertArrayEquals(f32.greedyContinuation(), r.greedyContinuation(), kv + " keeps the greedy continuation");
            }

            // a run's caches are stored in the type set before its prefill: half the bytes in F16
            s.setKvCacheDType(DType.F32);
            s.prefill(PROMPT, 2, 5, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            long withF32 = tracked.liveBytes();
            s.setKvCacheDType(DType.F16);
            s.step(MoeOptions.DEFAULT, false);
            assertEquals(withF32, tracked.liveBytes(), "a run in progress keeps its caches");
            s.prefill(PROMPT, 2, 5, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            long cacheF32 = 2L * s.config().numHiddenLayers() * 2 * (PROMPT.length + 5) * s.config().kvDim() * 4;
            assertEquals(withF32 - cacheF32 / 2, tracked.liveBytes(), "two sequences' caches in F16: half the bytes");

            assertThrows(IllegalArgumentException.class, () -> s.setKvCacheDType(DType.I32));
            assertThrows(IllegalArgumentException.class, () -> s.setKvCacheDType(null));
            assertEquals(DType.F16, s.kvCacheDType(), "a refused type changes nothing");
        }
    }

    @Test
    void openClWithSixteenBitCachesMatchesTheJavaReferenceWithTheSameCaches() {
        for (DType kv : List.of(DType.F16, DType.BF16)) {
            try (InferenceSession cl = InferenceSession.open(new ModelSource.Folder(HF_TINY),
                    org.moescope.engine.model.TestBackends.open("opencl"), null);
                 InferenceSession ref = openTiny()) {
                cl.setKvCacheDType(kv);   // builds and runs the attention kernels for that cache type once
                ref.setKvCacheDType(kv);
                ScoreResult a = cl.score(PROMPT, 4, MoeOptions.DEFAULT);
                ScoreResult b = ref.score(PROMPT, 4, MoeOptions.DEFAULT);
                assertTrue(maxAbsDiff(a.prefillLogits(), b.prefillLogits()) < 1e-4, kv + ": "
                        + maxAbsDiff(a.prefillLogits(), b.prefillLogits()));
                assertArrayEquals(b.greedyContinuation(), a.greedyContinuation(), kv.toString());
                // two sequences: the second copies the first's prompt rows (a 16-bit device copy) and decodes alike
                cl.prefill(PROMPT, 2, 3, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
                while (!cl.finished()) {
                    cl.step(MoeOptions.DEFAULT, false);
                }
                assertArrayEquals(cl.generatedTokens().get(0), cl.generatedTokens().get(1));
                assertArrayEquals(new int[] {b.greedyContinuation()[0], b.greedyContinuation()[1],
                        b.greedyContinuation()[2]}, cl.generatedTokens().get(0), kv + " greedy tokens");
            }
        }
    }
}
