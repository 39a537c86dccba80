package org.moescope.engine.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.engine.backend.java.JavaBackendTest.random;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.quant.BlockQuantizer;
import org.moescope.engine.moe.DispatchPlan;

/**
 * Quantized weights in every weight-reading op of the reference backend. With F32 activations each op must give
 * exactly what it gives on an F32 copy of the weights' decoded values (the same products in the same order), and
 * with Q8_0 activations the integer path must stay within the bound that x's quantization step implies.
 */
class JavaBackendQuantizedOpsTest {
    private static final DType[] QUANTIZED = {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};
    private final JavaBackend backend = new JavaBackend();

    DeviceBuffer f32(String name, float[] values) {
        DeviceBuffer b = backend.allocate(name, DType.F32, values.length);
        backend.write(b, values);
        return b;
    }

    DeviceBuffer i32(String name, int[] values) {
        DeviceBuffer b = backend.allocate(name, DType.I32, values.length);
        backend.write(b, values);
        return b;
    }

    /** A random quantized weight and its F32 twin holding the decoded values. */
    record Weight(DeviceBuffer quantized, DeviceBuffer decoded, float[] values) {
    }

    Weight weight(DType type, long elements, long seed) {
        DeviceBuffer q = backend.allocate("wq", type, elements);
        backend.fillRandom(q, seed, 0.2f);
        float[] values = backend.readFloats(q, 0, (int) elements);
        return new Weight(q, f32("wf", values), values);
    }

    float[] run(int n, Consumer<DeviceBuffer> op) {
        DeviceBuffer out = backend.allocate("out", DType.F32, n);
        op.accept(out);
        return backend.readFloats(out, 0, n);
    }

    @Test
    void denseOpsOnQuantizedWeightsEqualTheDecodedF32Weights() {
        int in = 512;
        int out = 3;
        int tokens = 2;
        for (DType type : QUANTIZED) {
            Weight w = weight(type, (long) out * in, 11);
            DeviceBuffer x = f32("x", random(tokens * in, 1));
            assertArrayEquals(run(tokens * out, y -> backend.matmul(x, w.decoded(), y, tokens, in, out)),
                    run(tokens * out, y -> backend.matmul(x, w.quantized(), y, tokens, in, out)), type + " matmul");
            Weight w1 = weight(type, 2L * in, 12);
            float[] f = new float[tokens * (out + 2 + out)];
            float[] q = new float[f.length];
            for (boolean quantized : new boolean[] {false, true}) {
                DeviceBuffer y0 = backend.allocate("y0", DType.F32, (long) tokens * out);
                DeviceBuffer y1 = backend.allocate("y1", DType.F32, 2L * tokens);
                DeviceBuffer y2 = backend.allocate("y2", DType.F32, (long) tokens * out);
                Weight a = w;
                backend.matmul3(x, tokens, in, quantized ? a.quantized() : a.decoded(), y0, out,
                        quantized ? w1.quantized() : w1.decoded(), y1, 2, quantized ? a.quantized() : a.decoded(), y2,
                        out);
                float[] dst = quantized ? q : f;
                System.arraycopy(backend.readFloats(y0, 0, tokens * out), 0, dst, 0, tokens * out);
                System.arraycopy(backend.readFloats(y1, 0, 2 * tokens), 0, dst, tokens * out, 2 * tokens);
                System.arraycopy(backend.readFloats(y2, 0, tokens * out), 0, dst, tokens * (out + 2), tokens * out);
            }
            assertArrayEquals(f, q, type + " matmul3");
            DeviceBuffer ids = i32("ids", new int[] {2, 0, 2});
            assertArrayEquals(run(3 * in, o -> backend.embedding(w.decoded(), ids, o, 3, in, out)),
                    run(3 * in, o -> backend.embedding(w.quantized(), ids, o, 3, in, out)), type + " embedding");
        }
    }

    @Test
    void expertOpsOnQuantizedWeightsEqualTheDecodedF32Weights() {
        int experts = 3;
        int hidden = 256;
        int inter = 64; // Q4_K's down projection needs inter in whole 256-blocks: use 256 there
        for (DType type : QUANTIZED) {
            int downIn = type.blockElements() == 256 ? 256 : inter;
            Weight gate = weight(type, (long) experts * inter * hidden, 21);
            Weight up = weight(type, (long) experts * inter * hidden, 22);
            Weight down = weight(type, (long) experts * hidden * downIn, 23);
            int pairs = 4;
            DeviceBuffer x = f32("x", random(2 * hidden, 3));
            DeviceBuffer h = f32("h", random(pairs * downIn, 4));
            DeviceBuffer ids = i32("ids", new int[] {2, 0, 1, 2});
            assertArrayEquals(
                    run(pairs * inter, o -> backend.expertGemv(x, 2, gate.decoded(), ids, o, pairs, experts, hidden, inter)),
                    run(pairs * inter, o -> backend.expertGemv(x, 2, gate.quantized(), ids, o, pairs, experts, hidden,
                            inter)), type + " expertGemv");
            assertArrayEquals(
                    run(pairs * inter, o -> backend.expertGateUpSilu(x, 2, gate.decoded(), up.decoded(), ids, o, pairs,
                            experts, hidden, inter)),
                    run(pairs * inter, o -> backend.expertGateUpSilu(x, 2, gate.quantized(), up.quantized(), ids, o,
                            pairs, experts, hidden, inter)), type + " expertGateUpSilu");
            assertArrayEquals(groupedGemm(h, 1, down.decoded(), 2, 2, experts, downIn, hidden),
                    groupedGemm(h, 1, down.quantized(), 2, 2, experts, downIn, hidden), type + " groupedGemm");
        }
    }

    /** The grouped GEMM over the pairs of tokens x k routed by fixed ids, through the indirect work list. */
    float[] groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, int tokens, int k, int experts, int in,
                        int out) {
        int pairs = tokens * k;
        DeviceBuffer selected = i32("selected", new int[] {2, 0, 0, 2});
        DeviceBuffer counts = backend.allocate("counts", DType.I32, experts);
        DeviceBuffer offsets = backend.allocate("offsets", DType.I32, experts + 1);
        DeviceBuffer sorted = backend.allocate("sorted", DType.I32, pairs);
        int tile = backend.groupedGemmTileRows();
        DeviceBuffer work = backend.allocate("work", DType.I32, 2L * DispatchPlan.maxTiles(pairs, experts, tile) + 1);
        backend.buildDispatch(selected, counts, offsets, sorted, work, tokens, experts, k, tile);
        return run(pairs * out, o -> backend.groupedGemm(x, xRowDivisor, w, o, counts, offsets, sorted, work, tokens,
                k, experts, in, out, pairs));
    }

    @Test
    void aQuantizedWeightWhoseRowsSplitABlockIsRefusedByName() {
        DeviceBuffer w = backend.allocate("proj", DType.Q4_K, 512);
        DeviceBuffer x = f32("x", new float[4 * 128]);
        DeviceBuffer y = backend.allocate("y", DType.F32, 16);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.matmul(x, w, y, 1, 128, 4));
        assertEquals("w: buffer 'proj' is Q4_K, whose rows of in = 128 elements are not a whole number of 256-element"
                + " blocks", e.getMessage());
        DeviceBuffer ids = i32("ids", new int[] {0});
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.expertGemv(x, 1, w, ids, y, 1, 1, 128, 4));
        assertTrue(e.getMessage().startsWith("w: buffer 'proj' is Q4_K, whose rows of inDim = 128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.expertGateUpSilu(x, 1, w, w, ids, y, 1, 1, 128, 4));
        assertTrue(e.getMessage().startsWith("wGate: buffer 'proj' is Q4_K, whose rows of hidden = 128"),
                e.getMessage());
        DeviceBuffer none = backend.allocate("none", DType.I32, 4);
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.groupedGemm(x, 1, w, y, none, none, none, null, 1, 1, 1, 128, 4, 1));
        assertTrue(e.getMessage().startsWith("w: buffer 'proj' is Q4_K, whose rows of inDim = 128"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> backend.embedding(w, ids, y, 1, 128, 4));
        assertTrue(e.getMessage().startsWith("table: buffer 'proj' is Q4_K, whose rows of hidden = 128"),
                e.getMessage());
    }

    @Test
    void quantizeQ8IsGgmlsReferenceQuantizerRowByRow() {
        int rows = 3;
        int n = 64;
        float[] x = random(rows * n, 8);
        DeviceBuffer xq = backend.allocate("xq", DType.Q8_0, (long) rows * n);
        backend.quantizeQ8(f32("x", x), xq, rows, n);
        ByteBuffer want = ByteBuffer.allocate(rows * 2 * 34);
        BlockQuantizer.quantize(DType.Q8_0, x, 0, rows * n, want, 0);
        assertEquals(want, backend.readBytes(xq, 0, (long) rows * n));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.quantizeQ8(f32("x", x), xq, 6, 48));
        assertTrue(e.getMessage().startsWith("n must be a multiple of 32"), e.getMessage());
    }
}
