package org.moescope.engine.bench;

import java.util.OptionalDouble;
import org.moescope.engine.backend.DType;

/**
 * ggml's CPU backend on the MUL_MAT_ID case of one Qwen3-30B-A3B gate projection (test-backend-ops perf, type_b
 * f32, n_mats 128, n_used 8, m 768, k 2048), measured on a 2-core machine of the kind the project is developed on
 * (issue 6). There is no BF16 figure: the target for BF16 is "no slower than our own F16".
 */
public final class GgmlReference {
    public static final int N_MATS = 128;
    public static final int N_USED = 8;
    public static final int M = 768;
    public static final int K = 2048;
    public static final int[] NS = {1, 32, 512};

    private GgmlReference() {
    }

    /** ggml's GFLOP/s for (dtype, n), empty where it has none. */
    public static OptionalDouble gflops(DType dtype, int n) {
        double v = switch (dtype) {
            case F32 -> n == 1 ? 27 : n == 32 ? 35 : n == 512 ? 74 : Double.NaN;
            case F16 -> n == 1 ? 58 : n == 32 ? 49 : n == 512 ? 59 : Double.NaN;
            default -> Double.NaN;
        };
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** FLOPs of the case, ggml's op_flops: 2 * m * k * n * n_used. */
    public static double flops(int n) {
        return 2.0 * M * K * n * N_USED;
    }
}
