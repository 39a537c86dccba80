package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Profiler;

/**
 * Shared by the MoE block tests: the backends they run on and small run/compare helpers.
 *
 * <p>Tolerances: against {@link MoeFixture#reference} |actual - expected| <= {@link #ABS} + {@link #REL} |expected|
 * (F32 activations and accumulation against double; outputs are O(1)); between runs on one backend that must agree
 * (switch combinations, batched vs per-sequence decode) {@link #SAME_ABS} + {@link #SAME_REL} |expected|.
 * A wrong expert, weight or row gives errors of order 0.1.
 */
final class MoeTestSupport {
    static final double ABS = 1e-4;
    static final double REL = 1e-3;
    static final double SAME_ABS = 1e-5;
    static final double SAME_REL = 1e-4;
    static final List<MoeOptions> SWITCHES = MoeOptions.allSwitchCombinations(false);

    private MoeTestSupport() {
    }

    /**
     * The Java reference backend and, when OpenCL is available, an OpenCL backend on the first device; the caller
     * closes them. Without OpenCL the tests run on the reference only (saying so on stderr), unless
     * {@code moescope.requireOpenCL} is true, which makes them fail.
     */
    static List<Backend> openBackends() {
        List<Backend> list = new ArrayList<>();
        list.add(new JavaBackend());
        if (Backends.openClAvailable() || Boolean.getBoolean("moescope.requireOpenCL")) {
            list.add(OpenClTestSupport.openOrSkip());
        } else {
            System.err.println("SKIPPED (OpenCL part of the MoE block tests): "
                    + Backends.openClUnavailableReason().orElse("no OpenCL"));
        }
        return list;
    }

    /** A backend argument shown as "java Java reference" or "opencl pthread-cpu" in test names. */
    static Named<Backend> named(Backend b) {
        return Named.of(b.kind() + " " + b.device().name(), b);
    }

    static DeviceBuffer upload(Backend b, String name, float[] values) {
        DeviceBuffer buf = b.allocate(name, DType.F32, values.length);
        b.write(buf, values);
        return buf;
    }

    static float[] prefill(Backend b, MoeBlock block, MoeLayerWeights w, float[] x, int tokens, MoeOptions o) {
        int h = block.shape().hidden();
        try (DeviceBuffer xb = upload(b, "x", x); DeviceBuffer out = b.allocate("out", DType.F32, (long) tokens * h)) {
            block.prefill(w, xb, out, tokens, o, Profiler.OFF, 0);
            return b.readFloats(out, 0, tokens * h);
        }
    }

    static float[] batched(Backend b, MoeBlock block, MoeLayerWeights w, float[] x, int batch, MoeOptions o) {
        int h = block.shape().hidden();
        try (DeviceBuffer xb = upload(b, "x", x); DeviceBuffer out = b.allocate("out", DType.F32, (long) batch * h)) {
            block.batchedDecode(w, xb, out, batch, o, Profiler.OFF, 0);
            return b.readFloats(out, 0, batch * h);
        }
    }

    /** Decode of one token with residual 0 and no fused norm: returns moe(x). */
    static float[] decode(Backend b, MoeBlock block, MoeLayerWeights w, float[] x, MoeOptions o) {
        int h = block.shape().hidden();
        try (DeviceBuffer xb = upload(b, "x", x); DeviceBuffer res = b.allocate("residual", DType.F32, h)) {
            block.decode(w, xb, res, null, null, 1e-6f, o, Profiler.OFF, 0);
            return b.readFloats(res, 0, h);
        }
    }

    static void assertClose(double[] expected, float[] actual, double abs, double rel, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= abs + rel * Math.abs(expected[i]))) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
                        + actual[i] + " (error " + err + ")");
            }
        }
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /** Routing read back from the block equals the reference's (ids exactly). */
    static void assertRouting(MoeFixture.Expected expected, LayerRouting actual, String what) {
        assertArrayEquals(expected.ids(), actual.ids(), what + ": ids");
        assertClose(expected.weights(), actual.weights(), 1e-6, 1e-5, what + ": weights");
    }

    /** Fixture data must not sit on a near-tie at the top-k boundary, else F32 implementations may pick differently. */
    static MoeFixture.Expected referenceWithoutNearTies(MoeFixture f, float[] x, int tokens) {
        MoeFixture.Expected e = f.reference(x, tokens);
        assertTrue(e.minTopKGap() > 1e-4, "test data has a near-tie (relative gap " + e.minTopKGap() + ")");
        return e;
    }
}
