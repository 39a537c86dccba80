package org.moescope.engine.backend.quant;

/**
 * The scale searches behind ggml's reference K-quantizers ({@code nearest_int}, {@code make_qkx2_quants},
 * {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights), with ggml's float operations in
 * ggml's order so that the chosen levels and scales match its {@code quantize_row_*_ref}.
 */
final class ScaleSearch {
    /** Below this largest magnitude a group counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private ScaleSearch() {
    }

    /** Round to nearest, ties to even, for |f| &lt;= 4194303: adding 1.5 * 2^23 leaves the integer in the low bits. */
    static int nearestInt(float f) {
        float v = f + 12582912f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /** C's roundf: to nearest, ties away from zero. */
    static float roundHalfAway(float f) {
        double a = Math.abs((double) f);
        double t = Math.floor(a);
        if (a - t >= 0.5) {
            t += 1;
        }
        return (float) Math.copySign(t, f);
    }

    /**
     * Levels {@code L[at + i]} in [0, nmax] and a (scale, -min) pair for {@code n} values {@code x[xAt ..]} under
     * per-value weights, fitting {@code x ≈ scale * L - theMin}: a grid of nstep + 1 inverse scales around nmax / range,
     * each refit by weighted least squares, keeping the one of least weighted squared error. Returns the scale and
     * stores the (non-negative) min in {@code theMin[0]}.
     */
    static float qkx2(int n, int nmax, float[] x, int xAt, float[] weights, byte[] levels, int at, float[] theMin,
                      byte[] aux, float rmin, float rdelta, int nstep) {
        float min = x[xAt];
        float max = x[xAt];
        float sumW = weights[0];
        float sumX = sumW * x[xAt];
        for (int i = 1; i < n; i++) {
            float xi = x[xAt + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[at + i] = 0;
            }
            theMin[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xAt + i] - min));
            l = Math.max(0, Math.min(nmax, l));
            levels[at + i] = (byte) l;
            float diff = scale * l + min - x[xAt + i];
            bestError += weights[i] * (diff * diff);
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xAt + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xAt + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[xAt + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, at, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * Signed levels for {@code n} values with the sign of the largest magnitude mapping to -nmax: stores
     * {@code L + nmax} in [0, 2 nmax) at {@code levels[at ..]} and returns the scale, chosen among 19 inverse scales
     * around -nmax / max by the x²-weighted least-squares fit.
     */
    static float qx(int n, int nmax, float[] x, int xAt, byte[] levels, int at) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xAt + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xAt + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[at + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xAt + i];
            int l = clampSigned(nearestInt(iscale * xi), nmax);
            levels[at + i] = (byte) (l + nmax);
            float w = xi * xi;
            sumLX += w * xi * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0f;
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xAt + i];
                int l = clampSigned(nearestInt(iscale * xi), nmax);
                float w = xi * xi;
                sumLX += w * xi * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    levels[at + i] = (byte) (nmax + clampSigned(nearestInt(iscale * x[xAt + i]), nmax));
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    private static int clampSigned(int l, int nmax) {
        return Math.max(-nmax, Math.min(nmax - 1, l));
    }
}
