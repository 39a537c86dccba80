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
        ClBuffer wb = launcher.weight(w, "w", (long) out * in, in);
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

    /**
     * Three matmuls sharing x in one launch (gemv_rows3 or gemv3) where the single-matmul dispatch would take the
     * rows or the GEMV kernel and the three weights have one dtype; otherwise three matmuls.
     */
    void matmul3(DeviceBuffer x, int tokens, int in, DeviceBuffer w0, DeviceBuffer y0, int out0,
                 DeviceBuffer w1, DeviceBuffer y1, int out1, DeviceBuffer w2, DeviceBuffer y2, int out2) {
        positive(tokens, "tokens");
        positive(in, "in");
        positive(out0, "out0");
        positive(out1, "out1");
        positive(out2, "out2");
        ClBuffer xb = launcher.buffer(x, "x", DType.F32, (long) tokens * in);
        ClBuffer[] w = {launcher.weight(w0, "w0", (long) out0 * in, in),
                launcher.weight(w1, "w1", (long) out1 * in, in), launcher.weight(w2, "w2", (long) out2 * in, in)};
        ClBuffer[] y = {launcher.buffer(y0, "y0", DType.F32, (long) tokens * out0),
                launcher.buffer(y1, "y1", DType.F32, (long) tokens * out1),
                launcher.buffer(y2, "y2", DType.F32, (long) tokens * out2)};
        for (int i = 0; i < 3; i++) {
            if (y[i] == xb) {
                throw new IllegalArgumentException("y" + i + " ('" + y[i].name() + "') may not alias x");
            }
            for (int j = 0; j < i; j++) {
                if (y[i] == y[j]) {
                    throw new IllegalArgumentException("y" + i + " ('" + y[i].name() + "') may not alias y" + j);
                }
            }
        }
        DeviceTuning tuning = launcher.tuning();
        boolean oneDtype = w[0].dtype() == w[1].dtype() && w[1].dtype() == w[2].dtype();
        if (oneDtype && tuning.rowPerItem()) {
            rows3(xb, tokens, in, w, y, new int[] {out0, out1, out2}, Math.min(tokens, tuning.gemvMaxRows()));
        } else if (oneDtype && tokens <= tuning.gemvMaxRows()) {
            gemv3(xb, tokens, in, w, y, new int[] {out0, out1, out2});
        } else {
            matmul(x, w0, y0, tokens, in, out0);
            matmul(x, w1, y1, tokens, in, out1);
            matmul(x, w2, y2, tokens, in, out2);
        }
    }

    /** gemv_rows3: the CPU kernel over the three weights' rows, {@code tile} tokens per work-item. */
    void rows3(ClBuffer x, int tokens, int in, ClBuffer[] w, ClBuffer[] y, int[] out, int tile) {
        long tiles = (tokens + tile - 1) / tile;
        launcher.launch("gemv_rows", "gemv_rows3", weightDefine(w[0].dtype()) + " -DGEMV_T=" + tile)
                .arg(x).arg(in).arg(tokens)
                .arg(w[0]).arg(y[0]).arg(out[0]).arg(w[1]).arg(y[1]).arg(out[1]).arg(w[2]).arg(y[2]).arg(out[2])
                .run2d((long) out[0] + out[1] + out[2], tiles, 16, 1);
    }

    /** gemv3: the GPU GEMV over the three weights' rows, for any token count (tests use it beyond the threshold). */
    void gemv3(ClBuffer x, int tokens, int in, ClBuffer[] w, ClBuffer[] y, int[] out) {
        DeviceTuning tuning = launcher.tuning();
        long groups = ((long) out[0] + out[1] + out[2] + tuning.gemvRows() - 1) / tuning.gemvRows();
        launcher.launch("gemv", "gemv3", weightDefine(w[0].dtype()) + " -DGEMV_T=" + tokens)
                .arg(x).arg(in)
                .arg(w[0]).arg(y[0]).arg(out[0]).arg(w[1]).arg(y[1]).arg(out[1]).arg(w[2]).arg(y[2]).arg(out[2])
                .run1d(groups * tuning.gemvLocal(), tuning.gemvLocal());
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
