package org.moescope.engine.backend.quant;

import static org.moescope.engine.backend.quant.LittleEndian.f16;
import static org.moescope.engine.backend.quant.LittleEndian.u8;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.DType;

/**
 * The reference "Q8 activations" dot product: a row of quantized weights with a row of Q8_0 activations, as integer
 * dot products per 32 elements scaled by the block scales, the way ggml's {@code vec_dot_*_q8_0} (and, for the
 * K-quants, {@code vec_dot_*_q8_K}) compute it. Per 32 weights (one Q8_0 block of x with scale dx and quants qx):
 * <ul>
 *   <li>Q8_0, Q4_0, Q5_0: {@code d * dx * sum(q * qx)} with q the signed level (q8, nibble - 8, 5 bits - 16);</li>
 *   <li>Q4_K, Q5_K, sub-block j: {@code d * sc_j * dx * sum(q * qx) - dmin * m_j * dx * sum(qx)}: the min term needs
 *       only the sum of x's quants;</li>
 *   <li>Q6_K, per 16-element group g: {@code d * sc_g * dx * sum((q - 32) * qx)}.</li>
 * </ul>
 * The integer sums are exact; the scaled terms are added in double, so the result differs from the float path only by
 * x's quantization (see {@code JavaBackend}'s Q8 tests for the bound).
 */
public final class Q8Dot {
    private Q8Dot() {
    }

    /**
     * The dot product of {@code n} weights (whole blocks of {@code wType}) from byte {@code wAt} of {@code w} with
     * {@code n} Q8_0 activations from byte {@code xAt} of {@code xq}.
     */
    public static double dot(DType wType, ByteBuffer w, int wAt, ByteBuffer xq, int xAt, int n) {
        BlockDequantizer.requireQuantized(wType);
        if (n % wType.blockElements() != 0) {
            throw new IllegalArgumentException("n: " + n + " is not a whole number of " + wType + " blocks");
        }
        int[] q = new int[wType.blockElements()];
        double acc = 0;
        for (int b = 0; b < n / wType.blockElements(); b++) {
            int at = wAt + b * wType.blockBytes();
            int x = xAt + b * (wType.blockElements() / 32) * 34;
            acc += switch (wType) {
                case Q8_0, Q4_0, Q5_0 -> {
                    levels(wType, w, at, q);
                    yield (double) (f16(w, at) * f16(xq, x)) * sum(q, 0, xq, x + 2, 32);
                }
                case Q4_K, Q5_K -> kWithMins(wType, w, at, q, xq, x);
                case Q6_K -> q6K(w, at, q, xq, x);
                default -> throw new IllegalArgumentException(wType.toString());
            };
        }
        return acc;
    }

    /** Sum of q[qAt + i] * x's int8 quants at byte xAt + i, for i &lt; count. */
    private static int sum(int[] q, int qAt, ByteBuffer xq, int xAt, int count) {
        int s = 0;
        for (int i = 0; i < count; i++) {
            s += q[qAt + i] * xq.get(xAt + i);
        }
        return s;
    }

    private static double kWithMins(DType type, ByteBuffer w, int at, int[] q, ByteBuffer xq, int x) {
        levels(type, w, at, q);
        float d = f16(w, at);
        float dmin = f16(w, at + 2);
        double acc = 0;
        for (int j = 0; j < 8; j++) {
            int xb = x + 34 * j;
            float dx = f16(xq, xb);
            int sumQx = 0;
            for (int i = 0; i < 32; i++) {
                sumQx += xq.get(xb + 2 + i);
            }
            acc += (double) d * KScales.scale(w, at + 4, j) * dx * sum(q, 32 * j, xq, xb + 2, 32)
                    - (double) dmin * KScales.min(w, at + 4, j) * dx * sumQx;
        }
        return acc;
    }

    private static double q6K(ByteBuffer w, int at, int[] q, ByteBuffer xq, int x) {
        levels(DType.Q6_K, w, at, q);
        float d = f16(w, at + 208);
        double acc = 0;
        for (int g = 0; g < 16; g++) {
            int xb = x + 34 * (g / 2);
            float dx = f16(xq, xb);
            acc += (double) d * w.get(at + 192 + g) * dx * sum(q, 16 * g, xq, xb + 2 + 16 * (g % 2), 16);
        }
        return acc;
    }

    /**
     * The integer level of every element of the block at {@code at}, in element order: signed for Q8_0, Q4_0, Q5_0 and
     * Q6_K (offset removed), unsigned 0..15 / 0..31 for Q4_K / Q5_K (their offset is the min term).
     */
    public static void levels(DType type, ByteBuffer b, int at, int[] q) {
        switch (type) {
            case Q8_0 -> {
                for (int j = 0; j < 32; j++) {
                    q[j] = b.get(at + 2 + j);
                }
            }
            case Q4_0 -> {
                for (int j = 0; j < 16; j++) {
                    int v = u8(b, at + 2 + j);
                    q[j] = (v & 0x0f) - 8;
                    q[j + 16] = (v >> 4) - 8;
                }
            }
            case Q5_0 -> {
                int qh = u8(b, at + 2) | u8(b, at + 3) << 8 | u8(b, at + 4) << 16 | u8(b, at + 5) << 24;
                for (int j = 0; j < 16; j++) {
                    int v = u8(b, at + 6 + j);
                    q[j] = ((v & 0x0f) | ((qh >>> j) & 1) << 4) - 16;
                    q[j + 16] = ((v >> 4) | ((qh >>> (j + 16)) & 1) << 4) - 16;
                }
            }
            case Q4_K -> {
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 32; l++) {
                        int v = u8(b, at + 16 + 32 * c + l);
                        q[64 * c + l] = v & 0x0f;
                        q[64 * c + 32 + l] = v >> 4;
                    }
                }
            }
            case Q5_K -> {
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 32; l++) {
                        int v = u8(b, at + 48 + 32 * c + l);
                        int h = u8(b, at + 16 + l);
                        q[64 * c + l] = (v & 0x0f) | ((h >> (2 * c)) & 1) << 4;
                        q[64 * c + 32 + l] = (v >> 4) | ((h >> (2 * c + 1)) & 1) << 4;
                    }
                }
            }
            case Q6_K -> {
                for (int half = 0; half < 2; half++) {
                    for (int l = 0; l < 32; l++) {
                        int lo = u8(b, at + 64 * half + l);
                        int hi = u8(b, at + 64 * half + 32 + l);
                        int h = u8(b, at + 128 + 32 * half + l);
                        int e = 128 * half + l;
                        q[e] = ((lo & 0x0f) | (h & 3) << 4) - 32;
                        q[e + 32] = ((hi & 0x0f) | ((h >> 2) & 3) << 4) - 32;
                        q[e + 64] = ((lo >> 4) | ((h >> 4) & 3) << 4) - 32;
                        q[e + 96] = ((hi >> 4) | ((h >> 6) & 3) << 4) - 32;
                    }
                }
            }
            default -> BlockDequantizer.requireQuantized(type);
        }
    }
}
