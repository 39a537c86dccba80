package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;

/**
 * Device decoding of edge blocks, bit for bit as ggml's formulas give them: f16 scales that are zero, negative zero,
 * subnormal (smallest and largest), the smallest normal, ±65504 and infinite; extreme quants (int8 -128 and 127,
 * nibbles 0 and 15, Q6_K's 6-bit 0 and 63) and negative int8 sub-scales. Read through the embedding (scalar loads)
 * and the CPU rows matmul with an identity x (32 weights per step), so both decode paths see them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuantizedEdgeBlocksTest {
    private static final short[] SCALES = {0x0000, (short) 0x8000, 0x0001, 0x03ff, 0x0400, 0x7bff, (short) 0xfbff,
            0x3c00, (short) 0xb555, 0x7c00};

    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    @Test
    void q8_0EdgeScalesAndQuants() {
        int n = SCALES.length * 32;
        ByteBuffer b = blocks(DType.Q8_0, SCALES.length);
        float[] want = new float[n];
        for (int blk = 0; blk < SCALES.length; blk++) {
            b.putShort(blk * 34, SCALES[blk]);
            float d = Precision.f16ToFloat(SCALES[blk]);
            for (int j = 0; j < 32; j++) {
                byte q = (byte) (j == 0 ? -128 : j == 1 ? 127 : j * 37 - 500);
                b.put(blk * 34 + 2 + j, q);
                want[blk * 32 + j] = q * d;
            }
        }
        check(DType.Q8_0, b, want, 32);
    }

    @Test
    void q4_0EdgeScalesAndNibbles() {
        int n = SCALES.length * 32;
        ByteBuffer b = blocks(DType.Q4_0, SCALES.length);
        float[] want = new float[n];
        for (int blk = 0; blk < SCALES.length; blk++) {
            b.putShort(blk * 18, SCALES[blk]);
            float d = Precision.f16ToFloat(SCALES[blk]);
            for (int j = 0; j < 16; j++) {
                int lo = j;
                int hi = 15 - (j * 7) % 16;
                b.put(blk * 18 + 2 + j, (byte) (lo | hi << 4));
                want[blk * 32 + j] = (lo - 8) * d;
                want[blk * 32 + 16 + j] = (hi - 8) * d;
            }
        }
        check(DType.Q4_0, b, want, 32);
    }

    /** Q6_K: d from SCALES, sub-scales from -128 to 127, quants 0..63 (w = (d * scale) * (q - 32)). */
    @Test
    void q6_KEdgeScalesAndQuants() {
        int blocks = SCALES.length;
        ByteBuffer b = blocks(DType.Q6_K, blocks);
        float[] want = new float[blocks * 256];
        for (int blk = 0; blk < blocks; blk++) {
            int base = blk * 210;
            b.putShort(base + 208, SCALES[blk]);
            float d = Precision.f16ToFloat(SCALES[blk]);
            byte[] sc = new byte[16];
            for (int s = 0; s < 16; s++) {
                sc[s] = (byte) (s == 0 ? -128 : s == 1 ? 127 : s * 29 - 200);
                b.put(base + 192 + s, sc[s]);
            }
            int[] q = new int[256];
            for (int e = 0; e < 256; e++) {
                q[e] = e % 7 == 0 ? 63 : (e * 11 + blk) % 64;
            }
            // ggml's block_q6_K layout: per half h, quarter c, lane l (see common.cl)
            for (int h = 0; h < 2; h++) {
                for (int l = 0; l < 32; l++) {
                    int q0 = q[128 * h + l], q1 = q[128 * h + 32 + l], q2 = q[128 * h + 64 + l], q3 = q[128 * h + 96 + l];
                    b.put(base + 64 * h + l, (byte) ((q0 & 15) | (q2 & 15) << 4));
                    b.put(base + 64 * h + 32 + l, (byte) ((q1 & 15) | (q3 & 15) << 4));
                    b.put(base + 128 + 32 * h + l, (byte) ((q0 >> 4) | (q1 >> 4) << 2 | (q2 >> 4) << 4 | (q3 >> 4) << 6));
                }
            }
            for (int e = 0; e < 256; e++) {
                int h = e / 128;
                int c = (e / 32) % 4;
                int l = e % 32;
                want[blk * 256 + e] = d * sc[8 * h + 2 * c + l / 16] * (q[e] - 32);
            }
        }
        check(DType.Q6_K, b, want, 256);
    }

    private static ByteBuffer blocks(DType dtype, int count) {
        return ByteBuffer.allocate(count * dtype.blockBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values as rows of {@code in} weights, through the embedding and the CPU rows matmul. */
    private void check(DType dtype, ByteBuffer bytes, float[] want, int in) {
        int rows = want.length / in;
        try (DeviceBuffer w = cl.allocate("edge", dtype, want.length);
             DeviceBuffer ids = cl.allocate("ids", DType.I32, rows);
             DeviceBuffer out = cl.allocate("out", DType.F32, want.length);
             DeviceBuffer x = cl.allocate("identity", DType.F32, (long) in * in);
             DeviceBuffer y = cl.allocate("y", DType.F32, (long) in * rows)) {
            cl.upload(w, 0, bytes);
            int[] idValues = new int[rows];
            Arrays.setAll(idValues, i -> i);
            cl.write(ids, idValues);
            cl.embedding(w, ids, out, rows, in, rows);
            float[] got = cl.readFloats(out, 0, want.length);
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]),
                        dtype + " embedding element " + i + ": " + got[i] + " vs " + want[i]);
            }
            float[] identity = new float[in * in];
            for (int i = 0; i < in; i++) {
                identity[i * in + i] = 1f;
            }
            cl.write(x, identity);
            new MatmulKernels(cl.launcher()).rows((ClBuffer) x, (ClBuffer) w, (ClBuffer) y, in, in, rows, 1);
            float[] yv = cl.readFloats(y, 0, in * rows);
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < in; i++) {
                    float v = want[r * in + i];
                    if (Float.isInfinite(v) || Float.isNaN(v)) {
                        continue;   // an inf weight times the identity's zeros is NaN: only the embedding shows it
                    }
                    assertEquals(v, yv[i * rows + r], 0f, dtype + " matmul row " + r + " element " + i);
                }
            }
        }
    }
}
