package org.moescope.engine.bench;

import java.util.OptionalDouble;
import org.moescope.engine.backend.DType;

/**
 * One kernel on one ggml MUL_MAT_ID case.
 *
 * @param kernel         "expertGemv" (pair-indexed GEMV: the decode and batched-decode paths) or "groupedGemm" (the
 *                       prefill path, indirect dispatch from a device-built work list)
 * @param enginePath     whether the engine runs this kernel for n tokens (n = 1: decode; n > 1: prefill)
 * @param micros         device time per call, µs
 * @param gflops         ggml's FLOPs / median device time
 * @param target         the GFLOP/s to reach: ggml's for F32/F16, our own F16 engine-path figure for BF16; empty if none
 * @param weightBytes    bytes of the distinct experts' matrices the case must read (each once)
 * @param sameBytesGBps  GB/s of a plain read of weightBytes ({@link SameBytesRead}), the better of one measured just
 *                       before and one right after the case; NaN when not measured
 */
public record GemmCaseResult(DType dtype, int n, String kernel, boolean enginePath, SampleStats micros, double gflops,
                             OptionalDouble target, long weightBytes, double sameBytesGBps) {

    /** "pass" / "miss" against the target, or "-" when there is none. */
    public String verdict() {
        return target.isEmpty() ? "-" : gflops >= target.getAsDouble() ? "pass" : "miss";
    }

    /** Weight bytes / median time, GB/s. */
    public double weightGBps() {
        return weightBytes / (Math.max(micros.median(), 1e-3) * 1e3);
    }

    /** weightGBps as a fraction of the same-bytes read, NaN when that was not measured. */
    public double sameBytesFraction() {
        return weightGBps() / sameBytesGBps;
    }

    GemmCaseResult withTarget(OptionalDouble newTarget) {
        return new GemmCaseResult(dtype, n, kernel, enginePath, micros, gflops, newTarget, weightBytes, sameBytesGBps);
    }

    GemmCaseResult withSameBytesGBps(double gbps) {
        return new GemmCaseResult(dtype, n, kernel, enginePath, micros, gflops, target, weightBytes, gbps);
    }
}
