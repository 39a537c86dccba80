package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.opencl.BackendPair.Buf;

/**
 * embedding, rmsNorm, rope, add and siluMul on OpenCL against the Java reference, over every weight dtype and
 * sizes that are not multiples of any work-group or vector width. Tolerances: copies exact; F32 reductions of
 * n <= 4099 elements within 1e-5 relative (summation order differs); rope within 2e-5 absolute for |x| <= 1 and
 * positions < 5000 (the F32 angle is computed by different pow/cos implementations).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DenseParityTest {
    @AutoClose
    private final BackendPair p = new BackendPair();
    @AutoClose
    private final BackendPair other = BackendPair.otherKernelStyle();

    @ParameterizedTest(name = "{0} tokens={1} hidden={2}")
    @CsvSource({"F32,1,1", "F16,3,17", "BF16,17,67", "F32,5,130", "F16,2,1025"})
    void embeddingCopiesRowsExactly(DType dtype, int tokens, int hidden) {
        int vocab = 37;
        Buf table = p.random("table", dtype, (long) vocab * hidden, 11, 1.0f);
        int[] idValues = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            idValues[t] = (t * 13 + 5) % vocab;
        }
        idValues[tokens - 1] = vocab - 1;
        Buf ids = p.ints("ids", idValues);
        Buf out = p.zeros("out", DType.F32, (long) tokens * hidden);
        p.cl.embedding(table.cl(), ids.cl(), out.cl(), tokens, hidden, vocab);
        p.ref.embedding(table.ref(), ids.ref(), out.ref(), tokens, hidden, vocab);
        p.assertClose(out, tokens * hidden, 0, 0, "embedding " + dtype);
    }

    @ParameterizedTest(name = "{0} rows={1} n={2}")
    @CsvSource({"F32,1,1", "F16,1,3", "BF16,3,17", "F32,4,67", "F16,17,130", "BF16,2,4099", "F32,64,128"})
    void rmsNormMatchesReference(DType dtype, int rows, int n) {
        rmsNorm(p, dtype, rows, n);
        rmsNorm(other, dtype, rows, n);
    }

    /** On {@code p}'s kernel style: work-group rows (GPU) or a row per work-item (CPU). */
    private static void rmsNorm(BackendPair p, DType dtype, int rows, int n) {
        Buf x = p.random("x", DType.F32, (long) rows * n, 21, 2.0f);
        Buf w = p.random("w", dtype, n, 22, 1.5f);
        Buf out = p.zeros("out", DType.F32, (long) rows * n);
        p.cl.rmsNorm(x.cl(), w.cl(), out.cl(), rows, n, 1e-6f);
        p.ref.rmsNorm(x.ref(), w.ref(), out.ref(), rows, n, 1e-6f);
        p.assertClose(out, rows * n, 1e-6, 1e-5, "rmsNorm " + dtype);
    }

    @Test
    void rmsNormInPlace() {
        rmsNormInPlace(p);
        rmsNormInPlace(other);
    }

    private static void rmsNormInPlace(BackendPair p) {
        int rows = 3;
        int n = 67;
        Buf x = p.random("x", DType.F32, (long) rows * n, 23, 1.0f);
        Buf w = p.random("w", DType.F32, n, 24, 1.0f);
        p.cl.rmsNorm(x.cl(), w.cl(), x.cl(), rows, n, 1e-5f);
        p.ref.rmsNorm(x.ref(), w.ref(), x.ref(), rows, n, 1e-5f);
        p.assertClose(x, rows * n, 1e-6, 1e-5, "rmsNorm in place");
    }

    @ParameterizedTest(name = "tokens={0} heads={1} headDim={2}")
    @CsvSource({"1,1,2", "3,2,6", "5,3,64", "17,4,128", "2,1,130"})
    void ropeMatchesReference(int tokens, int heads, int headDim) {
        Buf x = p.random("x", DType.F32, (long) tokens * heads * headDim, 31, 1.0f);
        int[] positions = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            positions[t] = t == 0 ? 0 : 4093 - 7 * t;
        }
        Buf pos = p.ints("positions", positions);
        p.cl.rope(x.cl(), pos.cl(), tokens, heads, headDim, 1_000_000f);
        p.ref.rope(x.ref(), pos.ref(), tokens, heads, headDim, 1_000_000f);
        p.assertClose(x, tokens * heads * headDim, 2e-5, 0, "rope");
    }

    @ParameterizedTest(name = "n={0}")
    @CsvSource({"1", "3", "17", "67", "130", "4099"})
    void addAndSiluMulMatchReference(int n) {
        Buf a = p.random("a", DType.F32, n, 41, 6.0f);
        Buf b = p.random("b", DType.F32, n, 42, 3.0f);
        Buf sum = p.zeros("sum", DType.F32, n);
        Buf prod = p.zeros("prod", DType.F32, n);
        p.cl.add(a.cl(), b.cl(), sum.cl(), n);
        p.ref.add(a.ref(), b.ref(), sum.ref(), n);
        p.assertClose(sum, n, 0, 0, "add");
        p.cl.siluMul(a.cl(), b.cl(), prod.cl(), n);
        p.ref.siluMul(a.ref(), b.ref(), prod.ref(), n);
        p.assertClose(prod, n, 1e-6, 1e-5, "siluMul");
        p.cl.add(a.cl(), b.cl(), a.cl(), n);
        p.ref.add(a.ref(), b.ref(), a.ref(), n);
        p.assertClose(a, n, 0, 0, "add in place");
    }

    /** qkNorm and ropeQk (one launch each on OpenCL) match two rmsNorm / rope calls, on both kernel styles. */
    @ParameterizedTest(name = "{0} tokens={1} heads={2} kvHeads={3} headDim={4}")
    @MethodSource("qkShapes")
    void qkNormAndRopeQkMatchTwoCalls(DType dtype, int tokens, int heads, int kvHeads, int headDim) {
        for (BackendPair b : new BackendPair[] {p, other}) {
            Buf q = b.random("q", DType.F32, (long) tokens * heads * headDim, 91, 2.0f);
            Buf k = b.random("k", DType.F32, (long) tokens * kvHeads * headDim, 92, 2.0f);
            Buf qw = b.random("qNorm", dtype, headDim, 93, 1.0f);
            Buf kw = b.random("kNorm", dtype, headDim, 94, 1.0f);
            int[] pos = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                pos[t] = 3 * t + 1000;
            }
            Buf positions = b.ints("positions", pos);
            b.cl.qkNorm(q.cl(), qw.cl(), tokens * heads, k.cl(), kw.cl(), tokens * kvHeads, headDim, 1e-6f);
            b.ref.rmsNorm(q.ref(), qw.ref(), q.ref(), tokens * heads, headDim, 1e-6f);
            b.ref.rmsNorm(k.ref(), kw.ref(), k.ref(), tokens * kvHeads, headDim, 1e-6f);
            b.assertClose(q, tokens * heads * headDim, 1e-5, 1e-5, "qkNorm q " + dtype);
            b.assertClose(k, tokens * kvHeads * headDim, 1e-5, 1e-5, "qkNorm k " + dtype);
            b.cl.ropeQk(q.cl(), k.cl(), positions.cl(), tokens, heads, kvHeads, headDim, 1_000_000f);
            b.ref.rope(q.ref(), positions.ref(), tokens, heads, headDim, 1_000_000f);
            b.ref.rope(k.ref(), positions.ref(), tokens, kvHeads, headDim, 1_000_000f);
            b.assertClose(q, tokens * heads * headDim, 2e-5, 2e-5, "ropeQk q " + dtype);
            b.assertClose(k, tokens * kvHeads * headDim, 2e-5, 2e-5, "ropeQk k " + dtype);
        }
    }

    static Stream<Arguments> qkShapes() {
        int[][] shapes = {{1, 4, 2, 32}, {1, 32, 4, 128}, {3, 5, 1, 6}, {17, 8, 8, 64}, {2, 3, 2, 130}};
        List<Arguments> args = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.BF16}) {
            for (int[] s : shapes) {
                args.add(Arguments.of(dtype, s[0], s[1], s[2], s[3]));
            }
        }
        return args.stream();
    }

    @Test
    void qkNormAndRopeQkRefuseAliasesAndOddHeadDims() {
        Buf q = p.zeros("q", DType.F32, 64);
        Buf w = p.zeros("w", DType.F32, 8);
        Buf positions = p.ints("positions", new int[] {0, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.cl.qkNorm(q.cl(), w.cl(), 4, q.cl(), w.cl(), 4, 8, 1e-6f));
        assertTrue(e.getMessage().contains("may not alias q"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> p.cl.ropeQk(q.cl(), q.cl(), positions.cl(), 2, 2, 2, 8, 10000f));
        assertTrue(e.getMessage().contains("may not alias q"), e.getMessage());
        Buf k = p.zeros("k", DType.F32, 64);
        e = assertThrows(IllegalArgumentException.class,
                () -> p.cl.ropeQk(q.cl(), k.cl(), positions.cl(), 2, 2, 2, 7, 10000f));
        assertTrue(e.getMessage().contains("headDim must be even"), e.getMessage());
    }

    /** addRmsNorm (one launch on OpenCL) matches add then rmsNorm, on both kernel styles and with a tail past 16. */
    @ParameterizedTest(name = "{0} rows={1} n={2}")
    @CsvSource({"F32, 1, 128", "BF16, 1, 2048", "F16, 3, 67", "F32, 17, 130", "BF16, 5, 4099"})
    void addRmsNormMatchesAddThenNorm(DType dtype, int rows, int n) {
        for (BackendPair b : new BackendPair[] {p, other}) {
            Buf residual = b.random("residual", DType.F32, (long) rows * n, 101, 1.0f);
            Buf delta = b.random("delta", DType.F32, (long) rows * n, 102, 1.0f);
            Buf w = b.random("w", dtype, n, 103, 1.0f);
            Buf normed = b.random("normed", DType.F32, (long) rows * n, 104, 1.0f);
            b.cl.addRmsNorm(residual.cl(), delta.cl(), w.cl(), normed.cl(), rows, n, 1e-6f);
            b.ref.add(residual.ref(), delta.ref(), residual.ref(), rows * n);
            b.ref.rmsNorm(residual.ref(), w.ref(), normed.ref(), rows, n, 1e-6f);
            b.assertClose(residual, rows * n, 0, 0, "addRmsNorm residual " + dtype);
            b.assertClose(normed, rows * n, 1e-5, 1e-5, "addRmsNorm normed " + dtype);
        }
        Buf r = p.zeros("r", DType.F32, 8);
        Buf w = p.zeros("w1", DType.F32, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.cl.addRmsNorm(r.cl(), r.cl(), w.cl(), r.cl(), 1, 8, 1e-6f));
        assertTrue(e.getMessage().contains("may not alias"), e.getMessage());
    }
}
