package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.DispatchPlan;

/**
 * OpenCL groupedGemm against the Java reference for every weight dtype, with indirect (device work list) and direct
 * dispatch: outputs within 2e-5 * (1 + |reference|) of the reference and bit-identical between the two dispatches,
 * launched row-tile counts as the contract says. Also checked with odd tile shapes of both kernels (local-memory
 * tiles for GPUs, barrier-free tiles for CPUs), so that dimensions that are not multiples of the tiles or the vector
 * width are covered whatever the device's defaults are.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GroupedGemmParityTest {
    private static final double TOLERANCE = 2e-5;
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    /** (label, tokens, k, experts, inDim, outDim, xRowDivisor, ids). */
    static Stream<Arguments> shapes() {
        Random r = new Random(3);
        List<Arguments> shapes = List.of(
                Arguments.of("decode gate", 1, 8, 128, 67, 130, 8, DispatchParityTest.distinctPerToken(r, 1, 128, 8)),
                Arguments.of("gate, x per token", 37, 4, 16, 48, 24, 4, DispatchParityTest.distinctPerToken(r, 37, 16, 4)),
                Arguments.of("down, x per pair", 37, 4, 16, 24, 48, 1, DispatchParityTest.distinctPerToken(r, 37, 16, 4)),
                Arguments.of("all to one expert", 64, 1, 8, 130, 67, 1, DispatchParityTest.filled(64, 5)),
                Arguments.of("k == experts", 5, 6, 6, 33, 19, 6, DispatchParityTest.distinctPerToken(r, 5, 6, 6)),
                Arguments.of("skewed, empty experts", 200, 2, 8, 130, 67, 2, DispatchParityTest.skewed(r, 200, 2)),
                Arguments.of("prefill 512", 512, 8, 64, 64, 48, 8, DispatchParityTest.distinctPerToken(r, 512, 64, 8)),
                // experts with 3, 4, 1 and 2 pairs: every small-tile path of the CPU kernel, inDim with a 13-long tail
                Arguments.of("3, 4, 1, 2 pairs", 5, 2, 4, 45, 5, 1, new int[] {0, 1, 0, 1, 0, 1, 1, 3, 2, 3}),
                // the same with rows of at least 4 KB in every dtype (the CPU kernel's 4 x 4 blocks), a 20-long tail
                Arguments.of("3, 4, 1, 2 pairs, long rows", 5, 2, 4, 2100, 5, 1,
                        new int[] {0, 1, 0, 1, 0, 1, 1, 3, 2, 3}));
        List<Arguments> all = new ArrayList<>();
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            for (Arguments a : shapes) {
                Object[] v = a.get();
                Object[] withType = new Object[v.length + 1];
                System.arraycopy(v, 0, withType, 0, v.length);
                withType[0] = v[0] + " " + dtype;
                withType[v.length] = dtype;
                all.add(Arguments.of(withType));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesReferenceWithDeviceTiles(String label, int tokens, int k, int experts, int inDim, int outDim,
                                         int divisor, int[] ids, DType dtype) {
        new Case(tokens, k, experts, inDim, outDim, divisor, ids, dtype).check(f.cl.launcher(), null);
    }

    @ParameterizedTest(name = "{0}, 8x12 tiles")
    @MethodSource("shapes")
    void matchesReferenceWithOddTiles(String label, int tokens, int k, int experts, int inDim, int outDim,
                                      int divisor, int[] ids, DType dtype) {
        // tiles of 8 rows x 12 columns x 4 deep, 2x3 outputs per work-item
        var tuning = new MoeKernelTuning(8, 12, 4, 2, 3, 32, 8, 1, 16, false);
        new Case(tokens, k, experts, inDim, outDim, divisor, ids, dtype).check(f.cl.launcher(), tuning);
    }

    @ParameterizedTest(name = "{0}, barrier-free 7x3")
    @MethodSource("shapes")
    void matchesReferenceWithBarrierFreeTiles(String label, int tokens, int k, int experts, int inDim, int outDim,
                                              int divisor, int[] ids, DType dtype) {
        // the CPU kernel: 7-pair row tiles (not a multiple of its 4-pair step), 3 columns per work-item (odd)
        var tuning = new MoeKernelTuning(7, 3, 4, 1, 1, 32, 8, 1, 16, true);
        new Case(tokens, k, experts, inDim, outDim, divisor, ids, dtype).check(f.cl.launcher(), tuning);
    }

    @ParameterizedTest(name = "{0}, CPU defaults")
    @MethodSource("shapes")
    void matchesReferenceWithCpuDefaultTiles(String label, int tokens, int k, int experts, int inDim, int outDim,
                                             int divisor, int[] ids, DType dtype) {
        // what a CPU device runs: 32-pair x 64-column tiles, 4 x 4 blocks and the last 1 or 2 pairs row by row
        var tuning = MoeKernelTuning.forDevice(false, 4096, 0);
        new Case(tokens, k, experts, inDim, outDim, divisor, ids, dtype).check(f.cl.launcher(), tuning);
    }

    @Test
    void directAndIndirectGridsDiffer() {
        int tokens = 200;
        int k = 2;
        int experts = 8;
        int[] ids = DispatchParityTest.skewed(new Random(5), tokens, k);
        var c = new Case(tokens, k, experts, 16, 8, 2, ids, DType.F32);
        long[] tiles = c.check(f.cl.launcher(), null);
        int tileRows = f.cl.groupedGemmTileRows();
        DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
        assertEquals(DispatchPlan.maxTiles(tokens * k, experts, tileRows), tiles[0], "indirect grid");
        assertEquals(DispatchPlan.directTiles(experts, plan.maxPerExpert(), tileRows), tiles[1], "direct grid");
        assertNotEquals(tiles[0], tiles[1]);
    }

    private final class Case {
        final int tokens;
        final int k;
        final int experts;
        final int inDim;
        final int outDim;
        final int divisor;
        final int[] ids;
        final DType dtype;

        Case(int tokens, int k, int experts, int inDim, int outDim, int divisor, int[] ids, DType dtype) {
            this.tokens = tokens;
            this.k = k;
            this.experts = experts;
            this.inDim = inDim;
            this.outDim = outDim;
            this.divisor = divisor;
            this.ids = ids;
            this.dtype = dtype;
        }

        /** Runs indirect then direct on the device, checks both; returns their launched row tiles. */
        long[] check(KernelLauncher launcher, MoeKernelTuning tuning) {
            OpenClMoeKernels moe = tuning == null ? new OpenClMoeKernels(launcher) : new OpenClMoeKernels(launcher, tuning);
            int pairs = tokens * k;
            DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
            var x = f.random("x", DType.F32, (long) pairs / divisor * inDim, 21, 1f);
            var w = f.random("w", dtype, (long) experts * outDim * inDim, 22, 0.5f);
            var selected = f.ints("selectedIds", ids);
            var counts = f.zeros("counts", DType.I32, experts);
            var offsets = f.zeros("offsets", DType.I32, experts + 1L);
            var sorted = f.zeros("sortedPairs", DType.I32, pairs);
            int maxTiles = DispatchPlan.maxTiles(pairs, experts, moe.groupedGemmTileRows());
            DeviceBuffer workList = f.clBuffer("workList", DType.I32, 2L * maxTiles + 1);
            var out = f.zeros("out", DType.F32, (long) pairs * outDim);

            f.java.write(counts.java(), plan.counts());
            f.java.write(offsets.java(), plan.offsets());
            f.java.write(sorted.java(), plan.sortedPairs());
            f.java.groupedGemm(x.java(), divisor, w.java(), out.java(), counts.java(), offsets.java(), sorted.java(),
                    null, tokens, k, experts, inDim, outDim, plan.maxPerExpert());
            float[] reference = f.javaFloats(out, pairs * outDim);

            moe.buildDispatch(selected.cl(), counts.cl(), offsets.cl(), sorted.cl(), workList, tokens, experts, k,
                    moe.groupedGemmTileRows());
            f.cl.fill(out.cl(), Float.NaN);   // every pair's row must be written
            long indirectTiles = moe.groupedGemm(x.cl(), divisor, w.cl(), out.cl(), counts.cl(), offsets.cl(),
                    sorted.cl(), workList, tokens, k, experts, inDim, outDim, pairs);
            float[] indirect = f.clFloats(out, pairs * outDim);
            MoeParityFixture.assertClose(reference, indirect, TOLERANCE, "indirect");

            f.cl.fill(out.cl(), Float.NaN);
            long directTiles = moe.groupedGemm(x.cl(), divisor, w.cl(), out.cl(), counts.cl(), offsets.cl(),
                    sorted.cl(), null, tokens, k, experts, inDim, outDim, plan.maxPerExpert());
            float[] direct = f.clFloats(out, pairs * outDim);
            assertArrayEquals(indirect, direct, "direct and indirect dispatch run the same tiles");
            return new long[] {indirectTiles, directTiles};
        }
    }
}
