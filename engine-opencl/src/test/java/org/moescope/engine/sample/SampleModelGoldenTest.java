package org.moescope.engine.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.model.CheckpointLoader;
import org.moescope.engine.model.KvCache;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.SafetensorsCheckpoint;
import org.moescope.engine.model.Transformer;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Profiler;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.tokenizer.TextTokenizer;

/**
 * The bundled sample model (sample-weights/) against the golden data its PyTorch implementation wrote
 * (sample-weights/golden.py): BF16 weights widened to F32, all math in F32, as the engine computes. On the Java
 * reference backend and on OpenCL (skipped without a platform): prefill logits at every prompt position within
 * 1e-3 × max|logit| of the prompt's reference logits, the same top-k experts for every token and layer, and the same
 * 16-token greedy continuation; and DJL's tokenizer encodes each prompt to the ids the training tokenizer produced.
 */
class SampleModelGoldenTest {

    /** Logit tolerance relative to the largest reference logit of the prompt (F32 summation order differs). */
    static final float RELATIVE_TOLERANCE = 1e-3f;

    record Golden(int vocab_size, int num_experts_per_tok, int eos_token_id, List<Case> prompts) {
    }

    /** logits (position, vocab); experts (layer, position, k). */
    record Case(String prompt, int[] ids, float[][] logits, float max_abs_logit, int[][][] experts, int[] greedy_ids,
                String greedy_text) {
    }

    /** The folder holding sample-weights/config.json, found by walking up from the working directory. */
    static Path sampleDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("sample-weights");
            if (Files.isRegularFile(candidate.resolve("config.json"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no sample-weights/config.json above " + Path.of("").toAbsolutePath());
    }

    static Golden golden() throws IOException {
        return new Gson().fromJson(Files.readString(sampleDir().resolve("golden.json")), Golden.class);
    }

    static Backend open(String kind) {
        return switch (kind) {
            case "java" -> new JavaBackend();
            case "opencl" -> OpenClTestSupport.openOrSkip();
            default -> throw new IllegalArgumentException("unknown backend kind " + kind);
        };
    }

    static Stream<Arguments> backendsAndPrompts() throws IOException {
        int prompts = golden().prompts().size();
        return Stream.of("java", "opencl").flatMap(kind -> IntStream.range(0, prompts).mapToObj(p -> Arguments.of(kind, p)));
    }

    @ParameterizedTest(name = "{0} prompt {1}")
    @MethodSource("backendsAndPrompts")
    void prefillLogitsAndRoutingMatchPyTorch(String kind, int promptIndex) throws IOException {
        Golden golden = golden();
        Case c = golden.prompts().get(promptIndex);
        Path dir = sampleDir();
        ModelConfig config = ModelConfig.load(dir);
        assertEquals(golden.vocab_size(), config.vocabSize(), "vocab_size");
        int t = c.ids().length;
        try (Backend backend = open(kind);
             SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir);
             ModelWeights weights = CheckpointLoader.load(checkpoint, config, backend, LoadProgress.NONE);
             Transformer model = new Transformer(backend, config, weights, t);
             KvCache cache = new KvCache(backend, config, t, "kv")) {
            List<LayerRouting> routing = new ArrayList<>();
            float[] logits = model.prefill(c.ids(), cache, true, MoeOptions.DEFAULT, Profiler.OFF, routing);
            int vocab = config.vocabSize();
            assertEquals(t * vocab, logits.length, "logits length");
            float tolerance = RELATIVE_TOLERANCE * c.max_abs_logit();
            for (int p = 0; p < t; p++) {
                for (int v = 0; v < vocab; v++) {
                    assertEquals(c.logits()[p][v], logits[p * vocab + v], tolerance, "logit [" + p + "][" + v + "]");
                }
            }
            assertEquals(c.experts().length, routing.size(), "one routing record per MoE layer");
            int k = golden.num_experts_per_tok();
            for (int l = 0; l < routing.size(); l++) {
                for (int p = 0; p < t; p++) {
                    Set<Integer> expected = new TreeSet<>();
                    Set<Integer> actual = new TreeSet<>();
                    for (int s = 0; s < k; s++) {
                        expected.add(c.experts()[l][p][s]);
                        actual.add(routing.get(l).ids()[p * k + s]);
                    }
                    assertEquals(expected, actual, "layer " + l + " token " + p + " top-" + k + " experts");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} prompt {1}")
    @MethodSource("backendsAndPrompts")
    void greedyContinuationMatchesPyTorch(String kind, int promptIndex) throws IOException {
        Golden golden = golden();
        Case c = golden.prompts().get(promptIndex);
        int[] expected = untilEos(c.greedy_ids(), golden.eos_token_id());
        try (InferenceSession session = InferenceSession.open(new ModelSource.Folder(sampleDir()), open(kind), null)) {
            session.prefill(c.ids(), 1, c.greedy_ids().length, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            while (!session.finished()) {
                session.step(MoeOptions.DEFAULT, false);
            }
            assertArrayEquals(expected, session.generatedTokens().get(0),
                    "greedy continuation of " + c.prompt() + " (expected " + Arrays.toString(expected) + ")");
        }
    }

    @Test
    void djlTokenizerEncodesPromptsLikeTheTrainingTokenizer() throws IOException {
        Golden golden = golden();
        try (TextTokenizer tokenizer = TextTokenizer.load(sampleDir().resolve(TextTokenizer.FILE))) {
            for (Case c : golden.prompts()) {
                assertArrayEquals(c.ids(), tokenizer.encode(c.prompt()), "ids of " + c.prompt());
                assertEquals(c.greedy_text(), tokenizer.decode(c.greedy_ids()), "text of the greedy continuation");
            }
        }
    }

    /** The prefix up to and including the first eos (a session stops there), or all of ids. */
    static int[] untilEos(int[] ids, int eos) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eos) {
                return Arrays.copyOf(ids, i + 1);
            }
        }
        return ids;
    }
}
