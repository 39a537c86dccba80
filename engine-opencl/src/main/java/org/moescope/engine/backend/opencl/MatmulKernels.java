package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;
import static org.moescope.engine.backend.opencl.KernelLauncher.weightDefine;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * y = x · Wᵀ. Up to {@link DeviceTuning#gemvMaxRows()} tokens take the GEMV (kernels/gemv.cl: each weight row read
 * once, vectorised, for all tokens); more take the tiled GEMM (kernels/gemm.cl).
 */
final class MatmulKernels {
    private final KernelLauncher launcher;

    MatmulKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out) {
        positive(tokens, "tokens");
        positive(in, "in");
        positive(out, "out");
        ClBuffer xb = launcher.buffer(x, "x", DType.F32, (long) tokens * in);
        ClBuffer wb = launcher.weight(w, "w", (long) out * in);
        ClBuffer yb = launcher.buffer(y, "y", DType.F32, (long) tokens * out);
        if (yb == xb) {
            throw new IllegalArgumentException("y ('" + yb.name() + "') may not alias x");
        }
        DeviceTuning tuning = launcher.tuning();
        if (tokens <= tuning.gemvMaxRows()) {
            gemv(xb, wb, yb, tokens, in, out);
        } else {
            gemm(xb, wb, yb, tokens, in, out);
        }
    }

    /** The GEMV path for any token count (tests use it beyond the tuning threshold). */
    void gemv(ClBuffer x, ClBuffer w, ClBuffer y, int tokens, int in, int out) {
        DeviceTuning tuning = launcher.tuning();
        long groups = (out + tuning.gemvRows() - 1) / tuning.gemvRows();
        launcher.launch("gemv", "gemv", weightDefine(w.dtype()) + " -DGEMV_T=" + tokens)
                .arg(x).arg(w).arg(y).arg(in).arg(out)
                .run1d(groups * tuning.gemvLocal(), tuning.gemvLocal());
    }

    /** The tiled GEMM path for any token count. */
    void gemm(ClBuffer x, ClBuffer w, ClBuffer y, int tokens, int in, int out) {
        DeviceTuning tuning = launcher.tuning();
        int rts = tuning.gemmTile() / tuning.gemmWpt();
        long colGroups = (out + tuning.gemmTile() - 1) / tuning.gemmTile();
        long rowGroups = (tokens + tuning.gemmTile() - 1) / tuning.gemmTile();
        launcher.launch("gemm", "gemm", weightDefine(w.dtype()))
                .arg(x).arg(w).arg(y).arg(tokens).arg(in).arg(out)
                .run2d(colGroups * rts, rowGroups * rts, rts, rts);
    }
}
