package org.moescope.engine.backend.quant;

import static org.moescope.engine.backend.quant.BlockQuantizer.f16Bits;
import static org.moescope.engine.backend.quant.BlockQuantizer.f16Value;
import static org.moescope.engine.backend.quant.ScaleSearch.nearestInt;

/**
 * ggml's reference K-quantizers for one 256-element super-block: Q4_K and Q5_K (8 sub-blocks of 32 with a 6-bit
 * scale and min each) and Q6_K (16 groups of 16 with an int8 scale each). Layouts as in {@link BlockDequantizer}.
 */
final class KQuantizer {
    private KQuantizer() {
    }

    static void q4K(float[] x, int o, byte[] out) {
        byte[] levels = new byte[256];
        scalesAndMins(x, o, 15, -1f, 20, out, levels);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                out[16 + 32 * c + l] = (byte) (levels[64 * c + l] | levels[64 * c + 32 + l] << 4);
            }
        }
    }

    static void q5K(float[] x, int o, byte[] out) {
        byte[] levels = new byte[256];
        scalesAndMins(x, o, 31, -0.5f, 15, out, levels);
        for (int c = 0; c < 4; c++) {
            for (int j = 0; j < 32; j++) {
                int l1 = levels[64 * c + j];
                int l2 = levels[64 * c + 32 + j];
                if (l1 > 15) {
                    l1 -= 16;
                    out[16 + j] |= (byte) (1 << (2 * c));
                }
                if (l2 > 15) {
                    l2 -= 16;
                    out[16 + j] |= (byte) (2 << (2 * c));
                }
                out[48 + 32 * c + j] = (byte) (l1 | l2 << 4);
            }
        }
    }

    /**
     * The common part of Q4_K and Q5_K: per sub-block a (scale, min) fit with weights {@code rms + |x|}, both quantized
     * to 6 bits against the block's largest, d and dmin stored as F16 at bytes 0 and 2, the 12 scale bytes at 4, and
     * the final levels (0..nmax) of every element, refit against the stored scales, in {@code levels}.
     */
    private static void scalesAndMins(float[] x, int o, int nmax, float rmin, int nstep, byte[] out, byte[] levels) {
        float[] scales = new float[8];
        float[] mins = new float[8];
        float[] weights = new float[32];
        float[] theMin = new float[1];
        byte[] aux = new byte[32];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int at = o + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[at + l] * x[at + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                weights[l] = avX + Math.abs(x[at + l]);
            }
            scales[j] = ScaleSearch.qkx2(32, nmax, x, at, weights, levels, 32 * j, theMin, aux, rmin, 0.1f, nstep);
            mins[j] = theMin[0];
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] ls = new int[8];
        int[] lm = new int[8];
        for (int j = 0; j < 8; j++) {
            ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xff);
            lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xff);
        }
        KScales.pack(ls, lm, out, 4);
        int dBits = f16Bits(maxScale / 63f);
        int dminBits = f16Bits(maxMin / 63f);
        LittleEndian.putU16(out, 0, dBits);
        LittleEndian.putU16(out, 2, dminBits);
        for (int j = 0; j < 8; j++) {
            float d = f16Value(dBits) * ls[j];
            if (d == 0) {
                continue; // the levels of the search stay
            }
            float dm = f16Value(dminBits) * lm[j];
            for (int i = 0; i < 32; i++) {
                int l = nearestInt((x[o + 32 * j + i] + dm) / d);
                levels[32 * j + i] = (byte) Math.max(0, Math.min(nmax, l));
            }
        }
    }

    static void q6K(float[] x, int o, byte[] out) {
        byte[] levels = new byte[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int g = 0; g < 16; g++) {
            float scale = ScaleSearch.qx(16, 32, x, o + 16 * g, levels, 16 * g);
            scales[g] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
            return; // an all-zero block, d = 0
        }
        float iscale = -128f / maxScale;
        int dBits = f16Bits(1 / iscale);
        LittleEndian.putU16(out, 208, dBits);
        for (int g = 0; g < 16; g++) {
            out[192 + g] = (byte) Math.min(127, nearestInt(iscale * scales[g]));
        }
        for (int g = 0; g < 16; g++) {
            float d = f16Value(dBits) * out[192 + g];
            if (d == 0) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                int l = nearestInt(x[o + 16 * g + i] / d);
                levels[16 * g + i] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
            }
        }
        for (int half = 0; half < 2; half++) {
            int ql = 64 * half;
            int qh = 128 + 32 * half;
            int e = 128 * half;
            for (int l = 0; l < 32; l++) {
                int q1 = levels[e + l];
                int q2 = levels[e + l + 32];
                int q3 = levels[e + l + 64];
                int q4 = levels[e + l + 96];
                out[ql + l] = (byte) ((q1 & 0x0f) | (q3 & 0x0f) << 4);
                out[ql + l + 32] = (byte) ((q2 & 0x0f) | (q4 & 0x0f) << 4);
                out[qh + l] = (byte) ((q1 >> 4) | (q2 >> 4) << 2 | (q3 >> 4) << 4 | (q4 >> 4) << 6);
            }
        }
    }
}
