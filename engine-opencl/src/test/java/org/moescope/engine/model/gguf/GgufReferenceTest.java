package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.model.TestBackends;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.ScoreResult;

/**
 * Each ggml-written GGUF fixture against its reference (the engine's F32 path on the values ggml dequantizes from the
 * file, see the fixtures' README): prefill logits within 1e-4 of the largest logit and the same 16 greedy tokens, on
 * every backend and under every switch combination, with the weights kept quantized on the device.
 */
class GgufReferenceTest {

    record Reference(int[] prompt_ids, float[][] prefill_logits, int[] greedy_continuation) {
    }

    static Reference reference(String fixture) throws IOException {
        return new Gson().fromJson(Files.readString(GgufFixtures.DIR.resolve(fixture).resolve("reference.json")),
                Reference.class);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String kind : TestBackends.kinds()) {
            for (String fixture : GgufFixtures.NAMES) {
                out.add(Arguments.of(kind, fixture));
            }
        }
        return out.stream();
    }

    /** One session per backend and fixture; every switch combination scores the prompt on it. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillLogitsAndGreedyTokensMatchTheReference(String kind, String fixture) throws IOException {
        Reference ref = reference(fixture);
        int n = ref.greedy_continuation().length;
        try (InferenceSession session = InferenceSession.open(new ModelSource.Gguf(GgufFixtures.model(fixture)),
                TestBackends.open(kind), null)) {
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false)) {
                ScoreResult r = session.score(ref.prompt_ids(), n, options);
                assertLogits(ref, r.prefillLogits(), options.label());
                assertArrayEquals(ref.greedy_continuation(), r.greedyContinuation(), "greedy tokens " + options.label());
            }
        }
    }

    private static void assertLogits(Reference ref, float[] logits, String label) {
        int t = ref.prompt_ids().length;
        int vocab = ref.prefill_logits()[0].length;
        assertEquals(t * vocab, logits.length);
        float maxAbs = 0;
        for (float[] row : ref.prefill_logits()) {
            for (float v : row) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        float tolerance = 1e-4f * maxAbs;
        float worst = 0;
        int worstAt = -1;
        for (int i = 0; i < logits.length; i++) {
            float d = Math.abs(ref.prefill_logits()[i / vocab][i % vocab] - logits[i]);
            if (!(d <= worst)) {
                worst = d;
                worstAt = i;
            }
        }
        if (!(worst <= tolerance)) {
            throw new AssertionError(String.format(java.util.Locale.ROOT,
                    "%s: logit [%d][%d] is %.6f, reference %.6f: off by %.3g x max|logit| (allowed 1e-4)", label,
                    worstAt / vocab, worstAt % vocab, logits[worstAt], ref.prefill_logits()[worstAt / vocab][worstAt % vocab],
                    worst / maxAbs));
        }
    }
}
