package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;

/**
 * OpenCL expertGemv and expertGateUpSilu against the Java reference for every weight dtype, within
 * 2e-5 * (1 + |reference|), with both GEMV kernels whatever the device default: lanes sharing a row (GPU) and
 * barrier-free whole rows per work-item (CPU).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpertGemvParityTest {
    private static final double TOLERANCE = 2e-5;
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    /** (label, pairs, xRowDivisor, experts, inDim, outDim, ids, dtype, tuning). */
    static Stream<Arguments> cases() {
        Random r = new Random(9);
        Object[][] shapes = {
                {"single pair", 1, 1, 4, 130, 67, new int[] {3}},
                {"decode k=8", 8, 8, 32, 2048, 24, DispatchParityTest.distinctPerToken(r, 1, 32, 8)},
                {"decode down", 8, 1, 128, 67, 48, DispatchParityTest.distinctPerToken(r, 1, 128, 8)},
                {"batched B=4", 32, 8, 16, 48, 130, DispatchParityTest.distinctPerToken(r, 4, 16, 8)},
                {"same expert twice", 6, 3, 3, 7, 5, new int[] {0, 1, 2, 2, 1, 0}},
                // pairs that share an expert are computed together by the first of them, four at a time
                {"shared experts B=16", 128, 8, 16, 67, 24, DispatchParityTest.distinctPerToken(r, 16, 16, 8)},
                {"groups of 1, 3, 4, 5, 7", 20, 1, 5, 40, 9,
                        new int[] {3, 1, 3, 2, 0, 3, 2, 3, 1, 2, 4, 3, 2, 0, 1, 3, 2, 3, 0, 1}},
                {"k=2, 17 tokens, 3 experts", 34, 2, 3, 33, 13, DispatchParityTest.distinctPerToken(r, 17, 3, 2)}};
        MoeKernelTuning[] tunings = {
                new MoeKernelTuning(8, 8, 4, 1, 1, 32, 8, 1, 16, false),   // 32 lanes x 8 rows per work-group
                new MoeKernelTuning(8, 8, 4, 1, 1, 4, 2, 1, 16, false),    // few lanes: more tail work per lane
                new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 3, 16, true),     // barrier-free, 3 whole rows per item
                new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 32, 16, true),    // barrier-free, 32 rows: the CPU default
                new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 1, 16, true)};    // barrier-free, 1 row: padded 64-item groups
        List<Arguments> all = new ArrayList<>();
        for (MoeKernelTuning tuning : tunings) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                for (Object[] s : shapes) {
                    String label = s[0] + " " + dtype + (tuning.barrierFree() ? " whole rows x" + tuning.gemvItemRows() : " lanes=" + tuning.gemvLanes());
                    all.add(Arguments.of(label, s[1], s[2], s[3], s[4], s[5], s[6], dtype, tuning));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gemvMatchesReference(String label, int pairs, int divisor, int experts, int inDim, int outDim, int[] ids,
                              DType dtype, MoeKernelTuning tuning) {
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        var x = f.random("x", DType.F32, (long) pairs / divisor * inDim, 31, 1f);
        var w = f.random("w", dtype, (long) experts * outDim * inDim, 32, 0.5f);
        var idBuf = f.ints("ids", ids);
        var out = f.zeros("out", DType.F32, (long) pairs * outDim);
        f.java.expertGemv(x.java(), divisor, w.java(), idBuf.java(), out.java(), pairs, experts, inDim, outDim);
        f.cl.fill(out.cl(), Float.NaN);
        moe.expertGemv(x.cl(), divisor, w.cl(), idBuf.cl(), out.cl(), pairs, experts, inDim, outDim);
        f.assertClose(out, pairs * outDim, TOLERANCE, label);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedGateUpSiluMatchesReference(String label, int pairs, int divisor, int experts, int hidden, int inter,
                                         int[] ids, DType dtype, MoeKernelTuning tuning) {
        var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
        var x = f.random("x", DType.F32, (long) pairs / divisor * hidden, 41, 1f);
        var gate = f.random("gate", dtype, (long) experts * inter * hidden, 42, 0.5f);
        var up = f.random("up", dtype, (long) experts * inter * hidden, 43, 0.5f);
        var idBuf = f.ints("ids", ids);
        var out = f.zeros("out", DType.F32, (long) pairs * inter);
        f.java.expertGateUpSilu(x.java(), divisor, gate.java(), up.java(), idBuf.java(), out.java(), pairs, experts,
                hidden, inter);
        f.cl.fill(out.cl(), Float.NaN);
        moe.expertGateUpSilu(x.cl(), divisor, gate.cl(), up.cl(), idBuf.cl(), out.cl(), pairs, experts, hidden, inter);
        f.assertClose(out, pairs * inter, TOLERANCE, label);
    }

    @Test
    void deviceDefaultKernelMatchesReference() {
        int[] ids = {5, 0, 7, 2};
        var x = f.random("x", DType.F32, 4L * 130, 51, 1f);
        var w = f.random("w", DType.BF16, 8L * 67 * 130, 52, 0.5f);
        var idBuf = f.ints("ids", ids);
        var out = f.zeros("out", DType.F32, 4L * 67);
        f.java.expertGemv(x.java(), 1, w.java(), idBuf.java(), out.java(), 4, 8, 130, 67);
        f.cl.expertGemv(x.cl(), 1, w.cl(), idBuf.cl(), out.cl(), 4, 8, 130, 67);
        f.assertClose(out, 4 * 67, TOLERANCE, "default tuning " + f.cl.launcher().runtime().info().kind());
    }

    @Test
    void anIdOutsideTheExpertsAmongSharedOnesGivesNaNRowsOnlyForItsPair() {
        int[] ids = {1, 9, 1, 1, 1, 1, -1, 1};
        for (MoeKernelTuning tuning : new MoeKernelTuning[] {new MoeKernelTuning(8, 8, 4, 1, 1, 1, 1, 1, 16, true),
                new MoeKernelTuning(8, 8, 4, 1, 1, 32, 8, 1, 16, false)}) {
            var moe = new OpenClMoeKernels(f.cl.launcher(), tuning);
            var x = f.random("x", DType.F32, 8L * 16, 63, 1f);
            var w = f.random("w", DType.F32, 2L * 4 * 16, 64, 0.5f);
            var idBuf = f.ints("ids", ids);
            var out = f.zeros("out", DType.F32, 8L * 4);
            moe.expertGemv(x.cl(), 1, w.cl(), idBuf.cl(), out.cl(), 8, 2, 16, 4);
            float[] got = f.clFloats(out, 32);
            for (int p = 0; p < 8; p++) {
                for (int i = 0; i < 4; i++) {
                    boolean invalid = ids[p] < 0 || ids[p] >= 2;
                    assertTrue(invalid == Float.isNaN(got[p * 4 + i]), "pair " + p + " (id " + ids[p] + ") row " + i
                            + " = " + got[p * 4 + i] + (tuning.barrierFree() ? " whole rows" : " lanes"));
                }
            }
            f.releaseBuffers();
        }
    }

    @Test
    void anIdOutsideTheExpertsGivesNaNRowsNotStrayReads() {
        var x = f.random("x", DType.F32, 2L * 16, 61, 1f);
        var w = f.random("w", DType.F32, 2L * 4 * 16, 62, 0.5f);
        var idBuf = f.ints("ids", new int[] {1, 9});
        var out = f.zeros("out", DType.F32, 2L * 4);
        f.cl.expertGemv(x.cl(), 1, w.cl(), idBuf.cl(), out.cl(), 2, 2, 16, 4);
        float[] got = f.clFloats(out, 8);
        for (int i = 0; i < 4; i++) {
            assertTrue(Float.isFinite(got[i]), "pair 0 row " + i);
            assertTrue(Float.isNaN(got[4 + i]), "pair 1 (id 9 of 2 experts) row " + i);
        }
    }
}
