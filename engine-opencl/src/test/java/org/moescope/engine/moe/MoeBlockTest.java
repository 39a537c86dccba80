package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.engine.moe.MoeTestSupport.ABS;
import static org.moescope.engine.moe.MoeTestSupport.REL;
import static org.moescope.engine.moe.MoeTestSupport.SAME_ABS;
import static org.moescope.engine.moe.MoeTestSupport.SAME_REL;
import static org.moescope.engine.moe.MoeTestSupport.SWITCHES;
import static org.moescope.engine.moe.MoeTestSupport.assertClose;
import static org.moescope.engine.moe.MoeTestSupport.assertRouting;
import static org.moescope.engine.moe.MoeTestSupport.prefill;
import static org.moescope.engine.moe.MoeTestSupport.batched;
import static org.moescope.engine.moe.MoeTestSupport.decode;
import static org.moescope.engine.moe.MoeTestSupport.named;
import static org.moescope.engine.moe.MoeTestSupport.referenceWithoutNearTies;
import static org.moescope.engine.moe.MoeTestSupport.toDouble;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.profile.LayerRouting;

/**
 * The MoE block's prefill path on every available backend against {@link MoeFixture#reference}, an independent
 * double-precision computation from the host weights (tolerances in {@link MoeTestSupport}).
 */
class MoeBlockTest {
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

    // ---------------------------------------------------------------- prefill

    record Case(String name, MoeShape shape, DType dtype, int[] tokens) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("h32 E8 k2 F32", new MoeShape(32, 16, 8, 2, true), DType.F32, new int[] {1, 37, 64}),
            new Case("h40 i24 E6 k3 no-norm F16", new MoeShape(40, 24, 6, 3, false), DType.F16, new int[] {1, 29}),
            new Case("k == E BF16", new MoeShape(24, 20, 5, 5, true), DType.BF16, new int[] {1, 17}),
            new Case("h30 i18 E16 k4 BF16", new MoeShape(30, 18, 16, 4, true), DType.BF16, new int[] {3, 71}));

    static Stream<Arguments> casesOnEachBackend() {
        return backends().stream().flatMap(b -> CASES.stream().map(c -> Arguments.of(named(b), c)));
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("casesOnEachBackend")
    void prefillMatchesTheReferenceForEverySwitchCombination(Backend b, Case c) {
        MoeFixture f = MoeFixture.random(c.shape(), c.dtype(), 7);
        try (MoeBlock block = new MoeBlock(b, c.shape(), 80); MoeLayerWeights w = f.upload(b)) {
            for (int tokens : c.tokens()) {
                float[] x = f.input(tokens, 100 + tokens);
                MoeFixture.Expected expected = referenceWithoutNearTies(f, x, tokens);
                float[] first = null;
                for (MoeOptions o : SWITCHES) {
                    String what = b.kind() + " " + c + " T=" + tokens + " " + o.label();
                    float[] out = prefill(b, block, w, x, tokens, o);
                    assertClose(expected.out(), out, ABS, REL, what);
                    LayerRouting routing = block.lastRouting(3, true);
                    assertEquals(3, routing.layer());
                    assertEquals(tokens, routing.tokens());
                    assertRouting(expected, routing, what);
                    assertClose(expected.probs(), routing.probs(), 1e-6, 1e-4, what + ": probs");
                    if (first == null) {
                        first = out;
                    } else {
                        assertClose(toDouble(first), out, SAME_ABS, SAME_REL, what + " vs " + SWITCHES.get(0).label());
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void longPromptOf512TokensInEveryCombination(Backend b) {
        MoeShape shape = new MoeShape(32, 16, 8, 2, true);
        MoeFixture f = MoeFixture.random(shape, DType.BF16, 21);
        float[] x = f.input(512, 22);
        MoeFixture.Expected expected = referenceWithoutNearTies(f, x, 512);
        try (MoeBlock block = new MoeBlock(b, shape, 512); MoeLayerWeights w = f.upload(b)) {
            for (MoeOptions o : SWITCHES) {
                assertClose(expected.out(), prefill(b, block, w, x, 512, o), ABS, REL, "T=512 " + o.label());
                assertRouting(expected, block.lastRouting(0, false), "T=512 " + o.label());
            }
            assertClose(expected.out(), batched(b, block, w, x, 512, MoeOptions.DEFAULT), ABS, REL, "B=512");
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void everyPathAgreesWithTheJavaReferenceBackend(Backend b) {
        MoeShape shape = new MoeShape(36, 20, 10, 3, true);
        MoeFixture f = MoeFixture.random(shape, DType.BF16, 51);
        int tokens = 37;
        int h = shape.hidden();
        float[] x = f.input(tokens, 52);
        referenceWithoutNearTies(f, x, tokens);
        try (Backend reference = new JavaBackend(); MoeBlock ref = new MoeBlock(reference, shape, tokens);
             MoeLayerWeights refW = f.upload(reference); MoeBlock block = new MoeBlock(b, shape, tokens);
             MoeLayerWeights w = f.upload(b)) {
            for (MoeOptions o : SWITCHES) {
                String what = b.kind() + " vs java " + o.label();
                float[] expected = prefill(reference, ref, refW, x, tokens, o);
                assertClose(toDouble(expected), prefill(b, block, w, x, tokens, o), SAME_ABS, SAME_REL,
                        what + " prefill");
                assertArrayEquals(ref.lastRouting(0, false).ids(), block.lastRouting(0, false).ids(), what + " ids");
                expected = batched(reference, ref, refW, x, tokens, o);
                assertClose(toDouble(expected), batched(b, block, w, x, tokens, o), SAME_ABS, SAME_REL,
                        what + " batched decode");
                float[] row = Arrays.copyOfRange(x, 0, h);
                assertClose(toDouble(decode(reference, ref, refW, row, o)), decode(b, block, w, row, o), SAME_ABS,
                        SAME_REL, what + " decode");
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void directAndIndirectGridsDifferInSizeButNotInResult(Backend b) {
        MoeShape shape = new MoeShape(32, 16, 8, 2, true);
        MoeFixture f = MoeFixture.random(shape, DType.F32, 31);
        int rows = b.groupedGemmTileRows();
        try (MoeBlock block = new MoeBlock(b, shape, 200); MoeLayerWeights w = f.upload(b)) {
            for (int tokens : new int[] {64, 200}) {
                float[] x = f.input(tokens, 32 + tokens);
                MoeFixture.Expected expected = referenceWithoutNearTies(f, x, tokens);
                int pairs = tokens * shape.topK();
                int[] counts = new int[shape.experts()];
                for (int id : expected.ids()) {
                    counts[id]++;
                }
                int maxPerExpert = Arrays.stream(counts).max().orElseThrow();

                float[] indirect = prefill(b, block, w, x, tokens, MoeOptions.DEFAULT);
                assertEquals(DispatchPlan.maxTiles(pairs, shape.experts(), rows), block.lastGemmTiles());
                long indirectTiles = block.lastGemmTiles();

                float[] direct = prefill(b, block, w, x, tokens, MoeOptions.DEFAULT.withDirectDispatch(true));
                assertEquals(DispatchPlan.directTiles(shape.experts(), pairs, rows), block.lastGemmTiles(),
                        "device routing sizes the direct grid for the worst case T * k");
                assertNotEquals(indirectTiles, block.lastGemmTiles());

                float[] host = prefill(b, block, w, x, tokens, MoeOptions.DEFAULT.withHostTopk(true));
                assertEquals(DispatchPlan.directTiles(shape.experts(), maxPerExpert, rows), block.lastGemmTiles(),
                        "host routing sizes the direct grid from the exact max per expert");

                assertClose(expected.out(), indirect, ABS, REL, "indirect T=" + tokens);
                assertClose(toDouble(indirect), direct, SAME_ABS, SAME_REL, "direct T=" + tokens);
                assertClose(toDouble(indirect), host, SAME_ABS, SAME_REL, "host top-k T=" + tokens);
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void hostAndDeviceRoutingGiveTheSameIdsAndWeightsIncludingExactTies(Backend b) {
        MoeShape shape = new MoeShape(32, 16, 8, 3, true);
        // experts 5 and 6 copy the router rows of 3 and 1: their logits tie exactly for every token
        MoeFixture f = MoeFixture.random(shape, DType.F32, 41).withRouterRowCopied(3, 5).withRouterRowCopied(1, 6);
        int tokens = 60;
        float[] x = f.input(tokens, 42);
        MoeFixture.Expected expected = f.reference(x, tokens);
        assertEquals(0.0, expected.minTopKGap(), "the data has a tie across the top-k boundary");
        try (MoeBlock block = new MoeBlock(b, shape, tokens); MoeLayerWeights w = f.upload(b)) {
            float[] deviceOut = prefill(b, block, w, x, tokens, MoeOptions.DEFAULT);
            LayerRouting device = block.lastRouting(0, false);
            float[] hostOut = prefill(b, block, w, x, tokens, MoeOptions.DEFAULT.withHostTopk(true));
            LayerRouting host = block.lastRouting(0, false);
            assertArrayEquals(host.ids(), device.ids(), "ids");
            assertArrayEquals(expected.ids(), device.ids(), "ties go to the lower expert index");
            assertClose(toDouble(host.weights()), device.weights(), 1e-6, 1e-5, "weights");
            assertClose(expected.out(), deviceOut, ABS, REL, "device routing");
            assertClose(toDouble(deviceOut), hostOut, SAME_ABS, SAME_REL, "host routing");
            int tiedPairs = 0;
            for (int t = 0; t < tokens; t++) {
                for (int s = 0; s + 1 < shape.topK(); s++) {
                    int p = t * shape.topK() + s;
                    if (device.weights()[p] == device.weights()[p + 1]) {
                        tiedPairs++;
                        assertTrue(device.ids()[p] < device.ids()[p + 1], "tie order at token " + t);
                    }
                }
            }
            assertTrue(tiedPairs > 0, "some tokens hold both experts of a tie");
        }
    }
}
