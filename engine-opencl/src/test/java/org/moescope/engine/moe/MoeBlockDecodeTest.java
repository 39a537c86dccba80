package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.moescope.engine.moe.MoeTestSupport.ABS;
import static org.moescope.engine.moe.MoeTestSupport.REL;
import static org.moescope.engine.moe.MoeTestSupport.SAME_ABS;
import static org.moescope.engine.moe.MoeTestSupport.SAME_REL;
import static org.moescope.engine.moe.MoeTestSupport.SWITCHES;
import static org.moescope.engine.moe.MoeTestSupport.assertClose;
import static org.moescope.engine.moe.MoeTestSupport.assertRouting;
import static org.moescope.engine.moe.MoeTestSupport.batched;
import static org.moescope.engine.moe.MoeTestSupport.decode;
import static org.moescope.engine.moe.MoeTestSupport.named;
import static org.moescope.engine.moe.MoeTestSupport.referenceWithoutNearTies;
import static org.moescope.engine.moe.MoeTestSupport.toDouble;
import static org.moescope.engine.moe.MoeTestSupport.upload;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.profile.Profiler;

/** Decode and batched decode of the MoE block on every available backend (tolerances in {@link MoeTestSupport}). */
class MoeBlockDecodeTest {
    private static List<Backend> backends;

    static synchronized List<Backend> backends() {
        if (backends == null) {
            backends = MoeTestSupport.openBackends();
        }
        return backends;
    }

    @AfterAll
    static void closeBackends() {
        if (backends != null) {
            backends.forEach(Backend::close);
            backends = null;
        }
    }

    record Case(String name, MoeShape shape, DType dtype) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Case> CASES = List.of(
            new Case("h32 E8 k2 F32", new MoeShape(32, 16, 8, 2, true), DType.F32),
            new Case("h40 i24 E6 k3 no-norm F16", new MoeShape(40, 24, 6, 3, false), DType.F16),
            new Case("k == E BF16", new MoeShape(24, 20, 5, 5, true), DType.BF16));

    static Stream<Arguments> casesOnEachBackend() {
        return backends().stream().flatMap(b -> CASES.stream().map(c -> Arguments.of(named(b), c)));
    }

    /** rmsNorm(r) * w in double. */
    static double[] rmsNorm(double[] r, float[] w, double eps) {
        double ms = 0;
        for (double v : r) {
            ms += v * v / r.length;
        }
        double[] out = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            out[i] = r[i] / Math.sqrt(ms + eps) * w[i];
        }
        return out;
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("casesOnEachBackend")
    void decodeAddsToTheResidualAndFusesTheNextNorm(Backend b, Case c) {
        MoeFixture f = MoeFixture.random(c.shape(), c.dtype(), 51);
        int h = c.shape().hidden();
        float eps = 1e-6f;
        Random r = new Random(52);
        float[] norm = MoeFixture.gaussian(r, h, 1);
        float[] residual = MoeFixture.gaussian(r, h, 1);
        try (MoeBlock block = new MoeBlock(b, c.shape(), 4); MoeLayerWeights w = f.upload(b);
             DeviceBuffer normW = upload(b, "norm", norm)) {
            for (int step = 0; step < 3; step++) {
                float[] x = f.input(1, 53 + step);
                MoeFixture.Expected expected = referenceWithoutNearTies(f, x, 1);
                double[] newResidual = new double[h];
                for (int i = 0; i < h; i++) {
                    newResidual[i] = residual[i] + expected.out()[i];
                }
                double[] expectedNorm = rmsNorm(newResidual, norm, eps);
                for (MoeOptions o : SWITCHES) {
                    String what = b.kind() + " " + c + " step " + step + " " + o.label();
                    try (DeviceBuffer xb = upload(b, "x", x); DeviceBuffer res = upload(b, "residual", residual);
                         DeviceBuffer normOut = b.allocate("normOut", DType.F32, h);
                         DeviceBuffer plainRes = upload(b, "plainResidual", residual)) {
                        // fused next norm
                        block.decode(w, xb, res, normW, normOut, eps, o, Profiler.OFF, 0);
                        float[] fusedResidual = b.readFloats(res, 0, h);
                        assertClose(newResidual, fusedResidual, ABS, REL, what + ": residual");
                        assertClose(expectedNorm, b.readFloats(normOut, 0, h), ABS, REL, what + ": normOut");
                        assertRouting(expected, block.lastRouting(0, false), what);
                        // un-fused: the same residual, normOut not touched
                        b.fill(normOut, 7f);
                        block.decode(w, xb, plainRes, null, normOut, eps, o, Profiler.OFF, 0);
                        assertArrayEquals(fusedResidual, b.readFloats(plainRes, 0, h), what + ": un-fused residual");
                        float[] untouched = new float[h];
                        Arrays.fill(untouched, 7f);
                        assertArrayEquals(untouched, b.readFloats(normOut, 0, h), what + ": normOut untouched");
                        // x may be the normOut buffer (the model normalises into it for the next layer)
                        b.write(res, residual);
                        block.decode(w, xb, res, normW, xb, eps, o, Profiler.OFF, 0);
                        assertArrayEquals(fusedResidual, b.readFloats(res, 0, h), what + ": aliased residual");
                        assertClose(expectedNorm, b.readFloats(xb, 0, h), ABS, REL, what + ": aliased normOut");
                    }
                }
                for (int i = 0; i < h; i++) {
                    residual[i] = (float) newResidual[i];
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("casesOnEachBackend")
    void batchedDecodeMatchesTheReferenceAndDecodingEachSequenceAlone(Backend b, Case c) {
        MoeFixture f = MoeFixture.random(c.shape(), c.dtype(), 61);
        int h = c.shape().hidden();
        try (MoeBlock block = new MoeBlock(b, c.shape(), 40); MoeLayerWeights w = f.upload(b)) {
            for (int batch : new int[] {1, 5, 33}) {
                float[] x = f.input(batch, 62 + batch);
                MoeFixture.Expected expected = referenceWithoutNearTies(f, x, batch);
                float[] first = null;
                for (MoeOptions o : SWITCHES) {
                    String what = b.kind() + " " + c + " B=" + batch + " " + o.label();
                    float[] out = batched(b, block, w, x, batch, o);
                    assertClose(expected.out(), out, ABS, REL, what);
                    assertRouting(expected, block.lastRouting(0, false), what);
                    if (first == null) {
                        first = out;
                    } else {
                        assertClose(toDouble(first), out, SAME_ABS, SAME_REL, what + " vs " + SWITCHES.get(0).label());
                    }
                    if (o.hostTopk() || o.directDispatch()) {
                        continue; // prefill-only switches: the per-sequence check below runs once per fused state
                    }
                    for (int s = 0; s < batch; s++) {
                        float[] alone = decode(b, block, w, Arrays.copyOfRange(x, s * h, s * h + h), o);
                        assertClose(toDouble(alone), Arrays.copyOfRange(out, s * h, s * h + h), SAME_ABS, SAME_REL,
                                what + ": sequence " + s + " vs decoding it alone");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("onEachBackend")
    void routingOfTheLastCallIsReadBack(Backend b) {
        MoeShape shape = new MoeShape(16, 8, 4, 2, true);
        MoeFixture f = MoeFixture.random(shape, DType.F32, 71);
        try (MoeBlock block = new MoeBlock(b, shape, 8); MoeLayerWeights w = f.upload(b)) {
            float[] x = f.input(6, 72);
            MoeFixture.Expected expected = f.reference(x, 6);
            batched(b, block, w, x, 6, MoeOptions.DEFAULT);
            var routing = block.lastRouting(5, true);
            assertEquals(5, routing.layer());
            assertEquals(6, routing.tokens());
            assertEquals(2, routing.k());
            assertEquals(4, routing.experts());
            assertClose(expected.probs(), routing.probs(), 1e-6, 1e-4, "probs");
            assertEquals(null, block.lastRouting(5, false).probs());
            decode(b, block, w, Arrays.copyOfRange(x, 0, 16), MoeOptions.DEFAULT);
            assertEquals(1, block.lastRouting(0, false).tokens(), "decode routes one token");
            assertArrayEquals(Arrays.copyOfRange(expected.ids(), 0, 2), block.lastRouting(0, false).ids());
        }
    }

    static Stream<Arguments> onEachBackend() {
        return backends().stream().map(b -> Arguments.of(named(b)));
    }
}
