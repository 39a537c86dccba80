package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.engine.moe.MoeTestSupport.ABS;
import static org.moescope.engine.moe.MoeTestSupport.REL;
import static org.moescope.engine.moe.MoeTestSupport.SWITCHES;
import static org.moescope.engine.moe.MoeTestSupport.assertClose;
import static org.moescope.engine.moe.MoeTestSupport.assertRouting;
import static org.moescope.engine.moe.MoeTestSupport.batched;
import static org.moescope.engine.moe.MoeTestSupport.prefill;
import static org.moescope.engine.moe.MoeTestSupport.named;
import static org.moescope.engine.moe.MoeTestSupport.referenceWithoutNearTies;
import static org.moescope.engine.moe.MoeTestSupport.upload;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.Profiler;
import org.moescope.engine.profile.StageSpan;

/** Crafted routings, profiler stage names and bad input of the MoE block, on every available backend. */
class MoeBlockEdgeCaseTest {
    private static List<Backend> backends;

    static synchronized List<Backend> backends() {
        if (backends == null) {
            backends = MoeTestSupport.openBackends();
        }
        return backends;
    }

    static Stream<Arguments> onEachBackend() {
        return backends().stream().map(b -> Arguments.of(named(b)));
    }

    @AfterAll
    static void closeBackends() {
        if (backends != null) {
            backends.forEach(Backend::close);
            backends = null;
        }
    }

    private static final MoeShape SHAPE = new MoeShape(20, 12, 6, 2, true);

    /** Inputs whose feature 0 is 1 for every token, so router column 0 biases an expert for all tokens. */
    private static float[] inputWithConstantFeature(MoeFixture f, int tokens, long seed) {
        float[] x = f.input(tokens, seed);
        for (int t = 0; t < tokens; t++) {
            x[t * f.shape.hidden()] = 1f;
        }
        return x;
    }

    private static float[] biasRow(int hidden, float bias) {
        float[] row = new float[hidden];
        row[0] = bias;
        return row;
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void anExpertWithoutTokensAndAllTokensOnOneExpert(Backend b) {
        int tokens = 45;
        // expert 2 is never chosen, expert 4 always first
        MoeFixture skewed = MoeFixture.random(SHAPE, DType.F32, 81)
                .withRouterRow(2, biasRow(SHAPE.hidden(), -40f)).withRouterRow(4, biasRow(SHAPE.hidden(), 30f));
        MoeShape top1 = new MoeShape(SHAPE.hidden(), SHAPE.inter(), SHAPE.experts(), 1, true);
        MoeFixture allToOne = MoeFixture.random(top1, DType.F32, 81).withRouterRow(4, biasRow(SHAPE.hidden(), 30f));
        for (MoeFixture f : List.of(skewed, allToOne)) {
            float[] x = inputWithConstantFeature(f, tokens, 82);
            MoeFixture.Expected expected = referenceWithoutNearTies(f, x, tokens);
            int k = f.shape.topK();
            int[] counts = new int[f.shape.experts()];
            for (int id : expected.ids()) {
                counts[id]++;
            }
            assertEquals(tokens, counts[4], "expert 4 takes every token");
            if (k == 2) {
                assertEquals(0, counts[2], "expert 2 takes none");
            }
            try (MoeBlock block = new MoeBlock(b, f.shape, tokens); MoeLayerWeights w = f.upload(b)) {
                for (MoeOptions o : SWITCHES) {
                    String what = b.kind() + " k=" + k + " " + o.label();
                    assertClose(expected.out(), prefill(b, block, w, x, tokens, o), ABS, REL, "prefill " + what);
                    assertRouting(expected, block.lastRouting(0, false), "prefill " + what);
                    assertClose(expected.out(), batched(b, block, w, x, tokens, o), ABS, REL, "batched " + what);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void stagesAreNamedAsTheSeedsPaths(Backend b) {
        MoeFixture f = MoeFixture.random(SHAPE, DType.F32, 91);
        int h = SHAPE.hidden();
        Profiler profiler = Profiler.on(b);
        MoeOptions fused = MoeOptions.DEFAULT;
        MoeOptions unfused = fused.withFusedGateUpSilu(false);
        try (MoeBlock block = new MoeBlock(b, SHAPE, 4); MoeLayerWeights w = f.upload(b);
             DeviceBuffer x = upload(b, "x", f.input(4, 92)); DeviceBuffer out = b.allocate("out", DType.F32, 4L * h);
             DeviceBuffer res = b.allocate("res", DType.F32, h); DeviceBuffer norm = upload(b, "n", new float[h])) {
            assertEquals(List.of("router", "route", "gate_up_silu", "down", "wsum"),
                    stages(profiler, Phase.DECODE, fused, () ->
                            block.decode(w, x, res, norm, out, 1e-6f, fused, profiler, 3)));
            assertEquals(List.of("router", "route", "gate", "up", "silu", "down", "wsum"),
                    stages(profiler, Phase.DECODE, unfused, () ->
                            block.decode(w, x, res, null, null, 1e-6f, unfused, profiler, 3)));
            assertEquals(List.of("router", "route_ids", "gate", "up", "silu", "down", "wsum"),
                    stages(profiler, Phase.PREFILL, fused, () -> block.prefill(w, x, out, 4, fused, profiler, 3)));
            MoeOptions host = fused.withHostTopk(true);
            assertEquals(List.of("router", "host_topk", "gate", "up", "silu", "down", "wsum"),
                    stages(profiler, Phase.PREFILL, host, () -> block.prefill(w, x, out, 4, host, profiler, 3)));
            assertEquals(List.of("router", "route", "gate_up_silu", "down", "wsum"),
                    stages(profiler, Phase.BATCHED_DECODE, fused, () ->
                            block.batchedDecode(w, x, out, 4, fused, profiler, 3)));
            assertEquals(List.of("router", "route", "gate", "up", "silu", "down", "wsum"),
                    stages(profiler, Phase.BATCHED_DECODE, unfused, () ->
                            block.batchedDecode(w, x, out, 4, unfused, profiler, 3)));
        }
    }

    private static List<String> stages(Profiler profiler, Phase phase, MoeOptions options, Runnable run) {
        profiler.beginStep(phase, 1, options);
        run.run();
        List<StageSpan> spans = profiler.endStep();
        for (StageSpan s : spans) {
            assertEquals(3, s.layer());
            assertEquals("moe", s.block());
            assertEquals(phase, s.phase());
            assertTrue(s.endNanos() >= s.startNanos(), s.stage() + " ends after it starts");
        }
        return spans.stream().map(StageSpan::stage).toList();
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void badInputNamesTheParameter(Backend b) {
        MoeFixture f = MoeFixture.random(SHAPE, DType.F32, 95);
        int h = SHAPE.hidden();
        try (MoeBlock block = new MoeBlock(b, SHAPE, 4); MoeLayerWeights w = f.upload(b);
             DeviceBuffer x = upload(b, "x", f.input(4, 96)); DeviceBuffer out = b.allocate("out", DType.F32, 4L * h);
             DeviceBuffer ints = b.allocate("ints", DType.I32, 4L * h);
             DeviceBuffer shortGate = b.allocate("gate.short", DType.F32, 10)) {
            MoeOptions o = MoeOptions.DEFAULT;
            assertMessage("tokens must be in [1, maxTokens=4], got 5",
                    () -> block.prefill(w, x, out, 5, o, Profiler.OFF, 0));
            assertMessage("tokens must be in [1, maxTokens=4], got 0",
                    () -> block.batchedDecode(w, x, out, 0, o, Profiler.OFF, 0));
            assertMessage("x: buffer 'ints' is I32, expected F32",
                    () -> block.prefill(w, ints, out, 2, o, Profiler.OFF, 0));
            assertMessage("out: buffer 'out' has " + 4 * h + " elements, needs " + 5 * h,
                    () -> {
                        try (MoeBlock big = new MoeBlock(b, SHAPE, 8);
                             DeviceBuffer x5 = upload(b, "x5", f.input(5, 97))) {
                            big.prefill(w, x5, out, 5, o, Profiler.OFF, 0);
                        }
                    });
            MoeLayerWeights bad = new MoeLayerWeights(w.router(), shortGate, w.up(), w.down());
            assertMessage("w.gate: buffer 'gate.short' has 10 elements, expected experts * inter * hidden = "
                    + SHAPE.experts() * SHAPE.inter() * h, () -> block.batchedDecode(bad, x, out, 1, o, Profiler.OFF, 0));
            assertMessage("options must not be null", () -> block.prefill(w, x, out, 1, null, Profiler.OFF, 0));
            assertMessage("maxTokens must be > 0, got 0", () -> new MoeBlock(b, SHAPE, 0));
        }
        MoeBlock closed = new MoeBlock(b, SHAPE, 1);
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.lastRouting(0, false));
    }

    private static void assertMessage(String expectedStart, Runnable r) {
        String m = assertThrows(IllegalArgumentException.class, r::run).getMessage();
        assertTrue(m.startsWith(expectedStart), "message '" + m + "' should start with '" + expectedStart + "'");
    }
}
