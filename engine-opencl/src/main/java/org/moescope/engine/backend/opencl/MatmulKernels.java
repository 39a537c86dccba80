package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;
import static org.moescope.engine.backend.opencl.KernelLauncher.weightDefine;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * y = x · Wᵀ. On GPUs up to {@link DeviceTuning#gemvMaxRows()} tokens take the GEMV (kernels/gemv.cl: each weight row
 * read once, vectorised, for all tokens, rows reduced in local memory); more take the tiled GEMM (kernels/gemm.cl).
 * On CPUs ({@link DeviceTuning#rowPerItem()}) every size takes kernels/gemv_rows.cl: a work-item per weight row and
 * tile of up to gemvMaxRows tokens.
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
        if (tuning.rowPerItem()) {
            rows(xb, wb, yb, tokens, in, out, Math.min(tokens, tuning.gemvMaxRows()));
        } else if (tokens <= tuning.gemvMaxRows()) {
            gemv(xb, wb, yb, tokens, in, out);
        } else {
            gemm(xb, wb, yb, tokens, in, out);
        }
    }

    /** The CPU kernel (kernels/gemv_rows.cl): a work-item per (weight row, tile of {@code tile} tokens). */
    void rows(ClBuffer x, ClBuffer w, ClBuffer y, int tokens, int in, int out, int tile) {
        long tiles = (tokens + tile - 1) / tile;
        launcher.launch("gemv_rows", "gemv_rows", weightDefine(w.dtype()) + " -DGEMV_T=" + tile)
                .arg(x).arg(w).arg(y).arg(in).arg(out).arg(tokens)
                .run2d(out, tiles, 16, 1);
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
        gemm(x, w, y, tokens, in, out, launcher.tuning().gemmTile());
    }

    /**
     * The tiled GEMM with a given output tile (a multiple of GEMM_WPT). Halving the tile to fill an H200 at T = 64
     * was measured slower (less reuse per work-group), so dispatch keeps the tuned tile; tests use others.
     */
    void gemm(ClBuffer x, ClBuffer w, ClBuffer y, int tokens, int in, int out, int tile) {
        DeviceTuning tuning = launcher.tuning();
        int rts = tile / tuning.gemmWpt();
        launcher.launch("gemm", "gemm", weightDefine(w.dtype()) + " " + tuning.gemmDefines(tile))
                .arg(x).arg(w).arg(y).arg(tokens).arg(in).arg(out)
                .run2d(tiles(out, tile) * rts, tiles(tokens, tile) * rts, rts, rts);
    }

    private static long tiles(int n, int tile) {
        return (n + tile - 1) / tile;
    }
}
