package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.moe.DispatchPlan;

/** Bad arguments to the OpenCL MoE ops fail before any launch, naming the parameter; MoE launches are timed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoeArgumentTest {
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    private DeviceBuffer buf(String name, DType dtype, long n) {
        return f.clBuffer(name, dtype, n);
    }

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void routeTopkChecks() {
        var logits = buf("logits", DType.F32, 12);
        var ids = buf("ids", DType.I32, 6);
        var weights = buf("weights", DType.F32, 6);
        assertMessage(() -> f.cl.routeTopk(logits, ids, weights, 3, 4, 5, true), "k must be in [1, experts=4]", "got 5");
        assertMessage(() -> f.cl.routeTopk(logits, ids, weights, 0, 4, 2, true), "tokens must be > 0");
        assertMessage(() -> f.cl.routeTopk(logits, ids, weights, 3, 0, 1, true), "experts must be > 0");
        assertMessage(() -> f.cl.routeTopk(logits, ids, weights, 4, 4, 1, true), "logits", "has 12", "needs at least 16");
        assertMessage(() -> f.cl.routeTopk(logits, weights, weights, 3, 4, 2, true), "ids", "must be I32", "is F32");
        assertMessage(() -> f.cl.routeTopk(logits, ids, logits, 3, 4, 2, true), "weights", "logits");
        assertMessage(() -> f.cl.routeTopk(logits, ids, null, 3, 4, 2, true), "weights");
    }

    @Test
    void buildDispatchChecks() {
        int tokens = 4;
        int experts = 8;
        int k = 2;
        int maxTiles = DispatchPlan.maxTiles(tokens * k, experts, 4);
        var ids = buf("selectedIds", DType.I32, 8);
        var counts = buf("counts", DType.I32, experts);
        var offsets = buf("offsets", DType.I32, experts + 1);
        var sorted = buf("sortedPairs", DType.I32, 8);
        var workList = buf("workList", DType.I32, 2L * maxTiles + 1);
        var shortList = buf("shortList", DType.I32, 2L * maxTiles);
        assertMessage(() -> f.cl.buildDispatch(ids, counts, offsets, sorted, workList, tokens, experts, k, 0),
                "tileRows must be > 0");
        assertMessage(() -> f.cl.buildDispatch(ids, counts, counts, sorted, workList, tokens, experts, k, 4),
                "offsets", "needs at least 9");
        assertMessage(() -> f.cl.buildDispatch(ids, counts, offsets, sorted, shortList, tokens, experts, k, 4),
                "workList", "'shortList'", "needs at least " + (2 * maxTiles + 1));
        assertMessage(() -> f.cl.buildDispatch(ids, counts, offsets, sorted, workList, tokens, experts, 9, 4),
                "k must be in");
        assertMessage(() -> f.cl.buildDispatch(ids, counts, offsets, ids, workList, tokens, experts, k, 4),
                "sortedPairs", "selectedIds");
    }

    @Test
    void groupedGemmChecks() {
        int tokens = 4;
        int k = 2;
        int experts = 4;
        var x = buf("x", DType.F32, 4L * 16);
        var w = buf("w", DType.F16, 4L * 8 * 16);
        var wInt = buf("wInt", DType.I32, 4L * 8 * 16);
        var out = buf("out", DType.F32, 8L * 8);
        var counts = buf("counts", DType.I32, experts);
        var offsets = buf("offsets", DType.I32, experts + 1);
        var sorted = buf("sortedPairs", DType.I32, 8);
        var workList = buf("workList", DType.I32, 3);
        assertMessage(() -> f.cl.groupedGemm(x, 3, w, out, counts, offsets, sorted, null, tokens, k, experts, 16, 8, 2),
                "xRowDivisor", "got 3");
        assertMessage(() -> f.cl.groupedGemm(x, 2, wInt, out, counts, offsets, sorted, null, tokens, k, experts, 16, 8, 2),
                "w ('wInt')", "F32, F16 or BF16", "is I32");
        assertMessage(() -> f.cl.groupedGemm(x, 1, w, out, counts, offsets, sorted, null, tokens, k, experts, 16, 8, 2),
                "x ('x')", "has 64", "needs at least 128");
        assertMessage(() -> f.cl.groupedGemm(x, 2, w, out, counts, offsets, sorted, workList, tokens, k, experts, 16, 8, 2),
                "workList", "has 3");
        assertMessage(() -> f.cl.groupedGemm(x, 2, w, out, counts, offsets, sorted, null, tokens, k, experts, 16, 8, 0),
                "maxPerExpert", "got 0");
        assertMessage(() -> f.cl.groupedGemm(x, 2, w, out, counts, offsets, sorted, null, tokens, k, experts, 16, 0, 2),
                "outDim must be > 0");
        assertMessage(() -> f.cl.groupedGemm(x, 2, w, x, counts, offsets, sorted, null, tokens, k, experts, 8, 8, 2),
                "out must not be the same buffer as x");
    }

    @Test
    void gemvChecks() {
        var x = buf("x", DType.F32, 16);
        var gate = buf("gate", DType.F16, 2L * 4 * 16);
        var up = buf("up", DType.BF16, 2L * 4 * 16);
        var ids = buf("ids", DType.I32, 2);
        var out = buf("out", DType.F32, 8);
        assertMessage(() -> f.cl.expertGemv(x, 1, gate, ids, out, 2, 2, 16, 4), "x ('x')", "needs at least 32");
        assertMessage(() -> f.cl.expertGemv(x, 2, gate, ids, out, 2, 3, 16, 4), "w ('gate')", "needs at least 192");
        assertMessage(() -> f.cl.expertGemv(x, 2, gate, out, out, 2, 2, 16, 4), "ids ('out')", "must be I32");
        assertMessage(() -> f.cl.expertGemv(x, 2, gate, ids, out, 0, 2, 16, 4), "pairs must be > 0");
        assertMessage(() -> f.cl.expertGateUpSilu(x, 2, gate, up, ids, out, 2, 2, 16, 4), "wUp", "BF16", "F16");
        var shortOut = buf("shortOut", DType.F32, 7);
        assertMessage(() -> f.cl.expertGateUpSilu(x, 2, gate, gate, ids, shortOut, 2, 2, 16, 4), "out ('shortOut')",
                "has 7", "needs at least 8");
    }

    @Test
    void weightedSumChecks() {
        var down = buf("down", DType.F32, 2L * 8);
        var weights = buf("weights", DType.F32, 2);
        var residual = buf("residual", DType.F32, 8);
        var norm = buf("norm", DType.BF16, 8);
        var normOut = buf("normOut", DType.F32, 4);
        assertMessage(() -> f.cl.weightedSum(down, weights, residual, 1, 2, 9), "down ('down')", "needs at least 18");
        assertMessage(() -> f.cl.weightedSum(down, weights, down, 1, 2, 8), "out must not be the same buffer as down");
        assertMessage(() -> f.cl.weightedSumResidual(down, weights, residual, norm, normOut, 1, 2, 8, 1e-6f),
                "normOut ('normOut')", "has 4", "needs at least 8");
        assertMessage(() -> f.cl.weightedSumResidual(down, weights, residual, norm, residual, 1, 2, 8, 1e-6f),
                "normOut must not be the same buffer as residual");
        assertMessage(() -> f.cl.weightedSumResidual(down, weights, residual, norm, down, 1, 2, 8, Float.NaN), "eps");
        assertMessage(() -> f.cl.weightedSumResidual(down, weights, residual, null, null, 1, 0, 8, 1e-6f),
                "k must be > 0");
    }

    @Test
    void quantizedWeightAndQ8ActivationChecks() {
        var wq = buf("wq", DType.Q4_K, 4L * 8 * 256);
        var x = buf("x", DType.F32, 2L * 128);
        var xq = buf("xq", DType.Q8_0, 2L * 128);
        var wf = buf("wf", DType.BF16, 4L * 8 * 128);
        var ids = buf("ids", DType.I32, 2);
        var out = buf("out", DType.F32, 2L * 8);
        assertMessage(() -> f.cl.expertGemv(x, 1, wq, ids, out, 2, 4, 128, 8),
                "w ('wq') is Q4_K", "rows of 128 elements", "whole number of blocks of 256");
        assertMessage(() -> f.cl.expertGemv(xq, 1, wf, ids, out, 2, 4, 128, 8),
                "x ('xq') is Q8_0", "weights ('wf') are BF16", "Q8 activations need quantized weights");
        assertMessage(() -> f.cl.quantizeQ8(x, xq, 2, 100), "n must be a multiple of 32");
        assertMessage(() -> f.cl.quantizeQ8(x, wq, 2, 128), "xq ('wq') must be Q8_0, is Q4_K");
        assertMessage(() -> f.cl.matmul(x, wq, out, 1, 128, 8), "w ('wq') is Q4_K", "whole number of blocks");
    }

    @Test
    void moeLaunchesAreTimedInsideAWindow() {
        var logits = f.random("logits", DType.F32, 4L * 16, 1, 2f);
        var ids = buf("ids", DType.I32, 8);
        var weights = buf("weights", DType.F32, 8);
        f.cl.finish();
        f.cl.beginTiming();
        f.cl.routeTopk(logits.cl(), ids, weights, 4, 16, 2, true);
        DeviceInterval interval = f.cl.endTiming();
        assertNotSame(DeviceInterval.EMPTY, interval, "routeTopk enqueued no timed launch");
        assertTrue(interval.startNanos() > 0 && interval.endNanos() >= interval.startNanos(),
                interval.startNanos() + " .. " + interval.endNanos());
    }
}
