package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.opencl.OpenClBackend;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.TestBackends;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.ScoreResult;

/**
 * Each ggml-written GGUF fixture against its reference (the engine's F32 path on the values ggml dequantizes from the
 * file, see the fixtures' README): prefill logits within 1e-4 of the largest logit and the same 16 greedy tokens, on
 * every backend and under every switch combination, with the weights kept quantized on the device.
 */
class GgufReferenceTest {

    record Reference(int[] prompt_ids, float[][] prefill_logits, int[] greedy_continuation, List<RouterTopk> router_topk) {
    }

    record RouterTopk(int layer, int[][] ids) {
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

    /**
     * Q8 activations round each expert input to 8 bits per block of 32, so the logits move. Bound: where a prompt
     * position's top-k expert sets are the reference's in every layer, its logits stay within 3e-2 of the largest
     * logit (measured: at most 1.5e-2, on both backends alike); a router near a tie may pick another expert for a
     * position, which moves that position freely, and may do so at most twice in 48 positions (measured: once, in
     * gguf-tiny-k). The greedy tokens of the random tiny models may part from the reference's; not checked.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void q8ActivationsStayWithinTheirBound(String kind, String fixture) throws IOException {
        Reference ref = reference(fixture);
        int t = ref.prompt_ids().length;
        int vocab = ref.prefill_logits()[0].length;
        float maxAbs = 0;
        for (float[] row : ref.prefill_logits()) {
            for (float v : row) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
        }
        try (InferenceSession session = InferenceSession.open(new ModelSource.Gguf(GgufFixtures.model(fixture)),
                TestBackends.open(kind), null)) {
            for (MoeOptions options : MoeOptions.allSwitchCombinations(false, true)) {
                ScoreResult r = session.score(ref.prompt_ids(), 1, options);
                int rerouted = 0;
                for (int p = 0; p < t; p++) {
                    if (!sameExperts(ref, r.routing(), p)) {
                        rerouted++;
                        continue;
                    }
                    for (int v = 0; v < vocab; v++) {
                        float d = Math.abs(r.prefillLogits()[p * vocab + v] - ref.prefill_logits()[p][v]);
                        if (!(d <= 3e-2f * maxAbs)) {
                            throw new AssertionError(String.format(java.util.Locale.ROOT,
                                    "%s: logit [%d][%d] off by %.3g x max|logit| (allowed 3e-2)", options.label(), p, v,
                                    d / maxAbs));
                        }
                    }
                }
                assertTrue(rerouted <= 2, options.label() + ": " + rerouted + " positions routed to other experts");
            }
        }
    }

    private static boolean sameExperts(Reference ref, List<LayerRouting> routing, int p) {
        assertEquals(ref.router_topk().size(), routing.size());
        for (int l = 0; l < routing.size(); l++) {
            LayerRouting r = routing.get(l);
            Set<Integer> expected = new TreeSet<>();
            Set<Integer> actual = new TreeSet<>();
            for (int s = 0; s < r.k(); s++) {
                expected.add(ref.router_topk().get(l).ids()[p][s]);
                actual.add(r.ids()[p * r.k() + s]);
            }
            if (!expected.equals(actual)) {
                return false;
            }
        }
        return true;
    }

    /**
     * gguf-tiny-k rewritten so that its data section, and so every tensor, starts 32 bytes past a 128-byte boundary
     * (POCL's own buffer alignment, which most real files miss): a CPU device still reads it in place, exactly.
     */
    @Test
    void aFileWhoseTensorsMissTheDeviceBufferAlignmentIsReadInPlaceExactly(@TempDir Path tmp) throws IOException {
        Path shifted = shiftedCopy(GgufFixtures.model("gguf-tiny-k"), tmp);
        Reference ref = reference("gguf-tiny-k");
        try (GgufFile file = GgufFile.open(shifted); OpenClBackend backend = OpenClTestSupport.openOrSkip()) {
            Assumptions.assumeTrue(backend.sharesHostMemory(), "the OpenCL device is not a CPU device");
            for (GgufTensor t : file.tensors().values()) {
                assertEquals(32, t.fileOffset() % 128, t.name());
            }
            try (ModelWeights weights = GgufLoader.load(file, GgufModelConfig.from(file), backend, LoadProgress.NONE)) {
                assertEquals(0, backend.allocatedBytes(), "every tensor read in place");
            }
        }
        try (InferenceSession session = InferenceSession.open(new ModelSource.Gguf(shifted),
                OpenClTestSupport.openOrSkip(), null)) {
            ScoreResult r = session.score(ref.prompt_ids(), ref.greedy_continuation().length, MoeOptions.DEFAULT);
            assertLogits(ref, r.prefillLogits(), "shifted");
            assertArrayEquals(ref.greedy_continuation(), r.greedyContinuation());
        }
    }

    /** The same metadata and tensors plus a padding key sized so that the data section starts at 32 mod 128. */
    private static Path shiftedCopy(Path original, Path dir) {
        try (GgufFile f = GgufFile.open(original)) {
            for (int pad = 0; pad < 128; pad += 32) {
                GgufWriter w = new GgufWriter();
                f.metadata().forEach(w::put);
                w.put("moescope.test.padding", GgufValue.string("x".repeat(pad)));
                for (GgufTensor t : f.tensors().values()) {
                    w.addTensor(t.name(), t.dtype(), t.ne(), f.bytes(t, 0, (int) t.bytes()));
                }
                Path out = dir.resolve("shifted-" + pad + ".gguf");
                w.write(out);
                try (GgufFile written = GgufFile.open(out)) {
                    if (written.tensors().values().iterator().next().fileOffset() % 128 == 32) {
                        return out;
                    }
                }
            }
        }
        throw new AssertionError("no padding puts the data section at 32 mod 128");
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
