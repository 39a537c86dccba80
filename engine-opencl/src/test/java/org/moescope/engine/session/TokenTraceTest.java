package org.moescope.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.Router;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.Phase;

/**
 * The teaching trace holds the run's numbers: on the sample model, for a prefill token, a decode token and a batched
 * decode token, the host-computed weighted sum of the chosen experts equals the device's MoE output for that token,
 * and the trace's routing equals what the run itself recorded at that layer.
 */
class TokenTraceTest {

    private static final int[] PROMPT = {5, 17, 300, 42, 7};

    /** ggml's Q8_0 file of the sample model: expert rows are dequantized when read back for the host's math. */
    private static final ModelSource SAMPLE_Q8 = new ModelSource.Gguf(
            java.nio.file.Path.of("src/test/resources/org/moescope/engine/gguf/gguf-sample-q8/model.gguf"));

    @Test
    void javaReferenceTraceMatchesTheRun() {
        checkRuns(new ModelSource.Folder(SampleModel.locate()), new JavaBackend());
    }

    @Test
    void openClTraceMatchesTheRun() {
        checkRuns(new ModelSource.Folder(SampleModel.locate()), OpenClTestSupport.openOrSkip());
    }

    @Test
    void quantizedWeightsJavaReference() {
        checkRuns(SAMPLE_Q8, new JavaBackend());
    }

    @Test
    void quantizedWeightsOpenCl() {
        checkRuns(SAMPLE_Q8, OpenClTestSupport.openOrSkip());
    }

    private static void checkRuns(ModelSource model, Backend backend) {
        try (InferenceSession s = InferenceSession.open(model, backend, null)) {
            MoeOptions unfused = MoeOptions.DEFAULT.withFusedGateUpSilu(false);
            // one sequence: prefill, then decode steps with the switches changed between steps
            List<StepResult> single = new ArrayList<>();
            single.add(s.prefill(PROMPT, 1, 4, SamplingSettings.GREEDY, MoeOptions.DEFAULT, true));
            single.add(s.step(unfused, true));
            single.add(s.step(MoeOptions.DEFAULT, true));
            RunReplay replay = replayOf(single);
            checkTrace(s, single, replay, 0, 1, 3, Phase.PREFILL);
            checkTrace(s, single, replay, 2, 3, 0, Phase.DECODE);
            // the trace left the run as it was: its next step is the one an untraced run makes
            StepResult next = s.step(MoeOptions.DEFAULT, true);
            assertArrayEquals(untracedThirdStep(s), next.newTokens());

            List<StepResult> batched = new ArrayList<>();
            batched.add(s.prefill(PROMPT, 2, 3, new SamplingSettings(1f, 1f, 7), MoeOptions.DEFAULT, true));
            batched.add(s.step(MoeOptions.DEFAULT, true));
            batched.add(s.step(unfused, true));
            checkTrace(s, batched, replayOf(batched), 2, 0, 1, Phase.BATCHED_DECODE);
        }
    }

    /**
     * With Q8 activations the device multiplied Q8_0 copies of x and of SiLU·up: the trace says so, its routing is
     * still the run's, and the host's float sum stays within the quantization error of the device's output.
     */
    @Test
    void q8ActivationsAreFlaggedAndCloseToTheDevice() {
        try (InferenceSession s = InferenceSession.open(SAMPLE_Q8, new JavaBackend(), null)) {
            MoeOptions q8 = MoeOptions.DEFAULT.withQ8Activations(true);
            List<StepResult> run = new ArrayList<>();
            run.add(s.prefill(PROMPT, 1, 3, SamplingSettings.GREEDY, q8, true));
            run.add(s.step(q8, true));
            MoeTokenTrace t = s.traceToken(replayOf(run), 1, 2, 0);
            assertTrue(t.q8Activations());
            LayerRouting recorded = run.get(1).routing().layers().get(2);
            assertArrayEquals(Arrays.copyOf(recorded.ids(), recorded.k()),
                    t.experts().stream().mapToInt(MoeTokenTrace.ExpertPass::expert).toArray());
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < t.weightedSum().length; i++) {
                diff += Math.pow(t.weightedSum()[i] - t.deviceOutput()[i], 2);
                norm += Math.pow(t.deviceOutput()[i], 2);
            }
            assertTrue(diff > 0, "Q8_0 activations change the device's numbers");
            assertTrue(Math.sqrt(diff) < 0.05 * Math.sqrt(norm), "relative difference " + Math.sqrt(diff / norm));
        }
    }

    /** The tokens a fresh greedy run samples at step 3 (for the "trace leaves the run alone" check). */
    private static int[] untracedThirdStep(InferenceSession s) {
        s.prefill(PROMPT, 1, 4, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
        s.step(MoeOptions.DEFAULT.withFusedGateUpSilu(false), false);
        s.step(MoeOptions.DEFAULT, false);
        int[] tokens = s.step(MoeOptions.DEFAULT, false).newTokens();
        s.reset();
        return tokens;
    }

    /** What the app builds: the prompt from step 0's routing, each decode step's fed tokens and sequences. */
    static RunReplay replayOf(List<StepResult> steps) {
        StepResult first = steps.get(0);
        List<RunReplay.DecodeStep> decode = new ArrayList<>();
        for (StepResult r : steps.subList(1, steps.size())) {
            decode.add(new RunReplay.DecodeStep(r.routing().sequences(), r.routing().tokenIds(), r.options()));
        }
        return new RunReplay(first.routing().tokenIds(), first.newTokens().length, first.options(), decode);
    }

    private static void checkTrace(InferenceSession s, List<StepResult> run, RunReplay replay, int step, int layer,
                                   int row, Phase phase) {
        MoeTokenTrace t = s.traceToken(replay, step, layer, row);
        StepResult original = run.get(step);
        LayerRouting recorded = original.routing().layers().stream().filter(l -> l.layer() == layer).findFirst()
                .orElseThrow();
        int k = recorded.k();
        int e = recorded.experts();
        assertEquals(phase, t.phase());
        assertEquals(original.routing().tokenIds()[row], t.tokenId());
        assertEquals(original.routing().positions()[row], t.position());
        // the run's own routing of this token at this layer
        int[] ids = Arrays.copyOfRange(recorded.ids(), row * k, row * k + k);
        float[] weights = Arrays.copyOfRange(recorded.weights(), row * k, row * k + k);
        assertArrayEquals(ids, t.experts().stream().mapToInt(MoeTokenTrace.ExpertPass::expert).toArray());
        for (int j = 0; j < k; j++) {
            assertEquals(weights[j], t.experts().get(j).weight(), 1e-6f, "weight of slot " + j);
        }
        assertArrayEquals(Arrays.copyOfRange(recorded.probs(), row * e, row * e + e), t.probs(), 1e-6f);
        // the read-back logits are what the probabilities came from
        assertArrayEquals(Router.probabilities(t.logits(), 1, e), t.probs(), 1e-6f);
        // the host's Σ weight · down is the device's MoE output for the token
        assertClose(t.deviceOutput(), t.weightedSum(), "weighted sum vs device MoE output");
        float[] added = new float[t.residualIn().length];
        for (int i = 0; i < added.length; i++) {
            added[i] = t.residualIn()[i] + t.deviceOutput()[i];
        }
        assertClose(t.residualOut(), added, "residual add");
        assertEquals(t.shape().inter(), t.experts().get(0).gate().length);
        assertEquals(t.shape().hidden(), t.experts().get(0).down().length);
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + ": all zeros");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4 * (1 + scale), what + " at " + i);
        }
    }

    @Test
    void namesABadRequest() {
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(SampleModel.locate()),
                new JavaBackend(), null)) {
            RunReplay replay = new RunReplay(PROMPT, 1, MoeOptions.DEFAULT, List.of());
            var tooFar = assertThrows(IllegalArgumentException.class, () -> s.traceToken(replay, 1, 0, 0));
            assertTrue(tooFar.getMessage().contains("step 1 is not in the run"), tooFar.getMessage());
            var row = assertThrows(IllegalArgumentException.class, () -> s.traceToken(replay, 0, 0, 5));
            assertTrue(row.getMessage().contains("row 5 is not in step 0"), row.getMessage());
        }
    }
}
