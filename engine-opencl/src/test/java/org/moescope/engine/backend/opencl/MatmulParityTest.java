package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.opencl.BackendPair.Buf;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * matmul (GEMV path for few tokens, tiled GEMM beyond) against the Java reference, for every weight dtype, with
 * token counts 1..512 and dimensions that are not multiples of any tile or vector width. Both backends read the same
 * rounded weights and accumulate in F32 (device) vs double (reference): tolerance 2e-5 * sqrt(in) absolute for
 * inputs in [-1, 1] (random-walk growth of the rounding error) plus 1e-5 relative.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MatmulParityTest {
    @AutoClose
    private final BackendPair p = new BackendPair();
    @AutoClose
    private final BackendPair other = BackendPair.otherKernelStyle();

    static Stream<Arguments> shapes() {
        int[][] tokenInOut = {
                {1, 1, 1}, {1, 3, 17}, {1, 67, 130}, {1, 1024, 33}, {2, 17, 67}, {3, 130, 3}, {4, 64, 64},
                {8, 67, 17}, {17, 130, 67}, {67, 17, 130}, {130, 67, 1}, {512, 257, 19}, {33, 768, 96}};
        List<Arguments> args = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[] s : tokenInOut) {
                args.add(Arguments.of(dtype, s[0], s[1], s[2]));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0} tokens={1} in={2} out={3}")
    @MethodSource("shapes")
    void matmulMatchesReference(DType dtype, int tokens, int in, int out) {
        Buf x = p.random("x", DType.F32, (long) tokens * in, 51, 1.0f);
        Buf w = p.random("w", dtype, (long) out * in, 52, 1.0f);
        Buf y = p.zeros("y", DType.F32, (long) tokens * out);
        p.cl.matmul(x.cl(), w.cl(), y.cl(), tokens, in, out);
        p.ref.matmul(x.ref(), w.ref(), y.ref(), tokens, in, out);
        p.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "matmul " + dtype);
    }

    /**
     * Every kernel (GPU GEMV, GPU GEMM, CPU rows with 3-token tiles that leave partial tiles) on every small shape,
     * whichever the device would dispatch to.
     */
    @ParameterizedTest(name = "{0} tokens={1} in={2} out={3}")
    @MethodSource("shapes")
    void gemvAndGemmPathsAgree(DType dtype, int tokens, int in, int out) {
        if (tokens > 17) {
            return;
        }
        gemvAndGemm(p, dtype, tokens, in, out);
    }

    /** The other kernel style's dispatch (CPU rows on a GPU, GPU GEMV/GEMM on a CPU) on every shape. */
    @ParameterizedTest(name = "other style {0} tokens={1} in={2} out={3}")
    @MethodSource("shapes")
    void otherKernelStyleMatchesReference(DType dtype, int tokens, int in, int out) {
        Buf x = other.random("x", DType.F32, (long) tokens * in, 55, 1.0f);
        Buf w = other.random("w", dtype, (long) out * in, 56, 1.0f);
        Buf y = other.zeros("y", DType.F32, (long) tokens * out);
        other.cl.matmul(x.cl(), w.cl(), y.cl(), tokens, in, out);
        other.ref.matmul(x.ref(), w.ref(), y.ref(), tokens, in, out);
        other.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "other-style matmul " + dtype);
    }

    private static void gemvAndGemm(BackendPair p, DType dtype, int tokens, int in, int out) {
        Buf x = p.random("x", DType.F32, (long) tokens * in, 53, 1.0f);
        Buf w = p.random("w", dtype, (long) out * in, 54, 1.0f);
        Buf y = p.zeros("y", DType.F32, (long) tokens * out);
        MatmulKernels kernels = new MatmulKernels(p.cl.launcher());
        ClBuffer xc = (ClBuffer) x.cl();
        ClBuffer wc = (ClBuffer) w.cl();
        ClBuffer yc = (ClBuffer) y.cl();
        p.ref.matmul(x.ref(), w.ref(), y.ref(), tokens, in, out);
        kernels.gemv(xc, wc, yc, tokens, in, out);
        p.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "gemv " + dtype);
        p.cl.fill(yc, 0);
        kernels.gemm(xc, wc, yc, tokens, in, out);
        p.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "gemm " + dtype);
        int smallTile = 4 * p.cl.launcher().tuning().gemmWpt();
        p.cl.fill(yc, 0);
        kernels.gemm(xc, wc, yc, tokens, in, out, smallTile);
        p.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "gemm, tile " + smallTile + " " + dtype);
        p.cl.fill(yc, 0);
        kernels.rows(xc, wc, yc, tokens, in, out, 3);
        p.assertClose(y, tokens * out, 2e-5 * Math.sqrt(in), 1e-5, "rows, 3-token tiles " + dtype);
    }

    static Stream<Arguments> qkvShapes() {
        // tokens, in, out0, out1, out2: odd sizes, GEMV groups spanning two weights, token tiles left partial
        int[][] shapes = {{1, 128, 128, 64, 64}, {1, 67, 5, 3, 130}, {3, 130, 17, 1, 9}, {7, 2048, 96, 33, 33},
                {17, 64, 40, 24, 24}, {130, 67, 16, 8, 8}};
        List<Arguments> args = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (int[] s : shapes) {
                args.add(Arguments.of(dtype, s[0], s[1], s[2], s[3], s[4]));
            }
        }
        return args.stream();
    }

    /** matmul3 on this device's dispatch and the other style's, and both fused kernels directly, vs three matmuls. */
    @ParameterizedTest(name = "matmul3 {0} tokens={1} in={2} out={3},{4},{5}")
    @MethodSource("qkvShapes")
    void matmul3MatchesThreeMatmuls(DType dtype, int tokens, int in, int out0, int out1, int out2) {
        for (BackendPair b : new BackendPair[] {p, other}) {
            Buf x = b.random("x", DType.F32, (long) tokens * in, 61, 1.0f);
            Buf[] w = {b.random("w0", dtype, (long) out0 * in, 62, 1.0f), b.random("w1", dtype, (long) out1 * in, 63, 1.0f),
                    b.random("w2", dtype, (long) out2 * in, 64, 1.0f)};
            int[] out = {out0, out1, out2};
            Buf[] y = new Buf[3];
            for (int i = 0; i < 3; i++) {
                y[i] = b.random("y" + i, DType.F32, (long) tokens * out[i], 70 + i, 1.0f);   // garbage to overwrite
                b.ref.matmul(x.ref(), w[i].ref(), y[i].ref(), tokens, in, out[i]);
            }
            b.cl.matmul3(x.cl(), tokens, in, w[0].cl(), y[0].cl(), out0, w[1].cl(), y[1].cl(), out1, w[2].cl(),
                    y[2].cl(), out2);
            for (int i = 0; i < 3; i++) {
                b.assertClose(y[i], tokens * out[i], 2e-5 * Math.sqrt(in), 1e-5, "matmul3 y" + i + " " + dtype);
            }
            MatmulKernels kernels = new MatmulKernels(b.cl.launcher());
            ClBuffer[] wc = {(ClBuffer) w[0].cl(), (ClBuffer) w[1].cl(), (ClBuffer) w[2].cl()};
            ClBuffer[] yc = {(ClBuffer) y[0].cl(), (ClBuffer) y[1].cl(), (ClBuffer) y[2].cl()};
            for (ClBuffer c : yc) {
                b.cl.fill(c, 0);
            }
            kernels.gemv3((ClBuffer) x.cl(), tokens, in, wc, yc, out);
            for (int i = 0; i < 3; i++) {
                b.assertClose(y[i], tokens * out[i], 2e-5 * Math.sqrt(in), 1e-5, "gemv3 y" + i + " " + dtype);
            }
            for (ClBuffer c : yc) {
                b.cl.fill(c, 0);
            }
            kernels.rows3((ClBuffer) x.cl(), tokens, in, wc, yc, out, 3);
            for (int i = 0; i < 3; i++) {
                b.assertClose(y[i], tokens * out[i], 2e-5 * Math.sqrt(in), 1e-5, "rows3, 3-token tiles y" + i);
            }
        }
    }

    @Test
    void matmul3WithMixedDtypesFallsBackAndRefusesAliases() {
        Buf x = p.random("x", DType.F32, 2 * 20, 81, 1.0f);
        Buf w0 = p.random("w0", DType.F16, 5 * 20, 82, 1.0f);
        Buf w1 = p.random("w1", DType.F32, 3 * 20, 83, 1.0f);
        Buf w2 = p.random("w2", DType.BF16, 4 * 20, 84, 1.0f);
        Buf y0 = p.zeros("y0", DType.F32, 2 * 5);
        Buf y1 = p.zeros("y1", DType.F32, 2 * 3);
        Buf y2 = p.zeros("y2", DType.F32, 2 * 4);
        p.cl.matmul3(x.cl(), 2, 20, w0.cl(), y0.cl(), 5, w1.cl(), y1.cl(), 3, w2.cl(), y2.cl(), 4);
        p.ref.matmul(x.ref(), w0.ref(), y0.ref(), 2, 20, 5);
        p.ref.matmul(x.ref(), w1.ref(), y1.ref(), 2, 20, 3);
        p.ref.matmul(x.ref(), w2.ref(), y2.ref(), 2, 20, 4);
        p.assertClose(y0, 10, 1e-4, 1e-5, "mixed y0");
        p.assertClose(y1, 6, 1e-4, 1e-5, "mixed y1");
        p.assertClose(y2, 8, 1e-4, 1e-5, "mixed y2");
        assertMessage("y1 ('y0') may not alias y0",
                () -> p.cl.matmul3(x.cl(), 2, 20, w0.cl(), y0.cl(), 5, w0.cl(), y0.cl(), 5, w2.cl(), y2.cl(), 4));
        assertMessage("y2 ('x') may not alias x",
                () -> p.cl.matmul3(x.cl(), 2, 20, w0.cl(), y0.cl(), 5, w1.cl(), y1.cl(), 3, w2.cl(), x.cl(), 4));
        assertMessage("out1 must be > 0",
                () -> p.cl.matmul3(x.cl(), 2, 20, w0.cl(), y0.cl(), 5, w1.cl(), y1.cl(), 0, w2.cl(), y2.cl(), 4));
    }

    @Test
    void badArgumentsNameTheParameter() {
        Buf x = p.zeros("x", DType.F32, 6);
        Buf w = p.zeros("w", DType.F16, 6);
        Buf y = p.zeros("y", DType.F32, 4);
        assertMessage("in must be > 0", () -> p.cl.matmul(x.cl(), w.cl(), y.cl(), 2, 0, 2));
        assertMessage("w ('w') has 6 elements, needs at least 8", () -> p.cl.matmul(x.cl(), w.cl(), y.cl(), 1, 4, 2));
        assertMessage("x ('w') must be F32, is F16", () -> p.cl.matmul(w.cl(), w.cl(), y.cl(), 1, 3, 2));
        assertMessage("may not alias", () -> p.cl.matmul(x.cl(), w.cl(), x.cl(), 1, 3, 2));
    }

    private static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        if (!e.getMessage().contains(part)) {
            throw new AssertionError("message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }
}
