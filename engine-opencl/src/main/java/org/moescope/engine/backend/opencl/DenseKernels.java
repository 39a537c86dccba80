package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;
import static org.moescope.engine.backend.opencl.KernelLauncher.weightDefine;

import java.util.HashMap;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/** The element-wise and per-row transformer ops: embedding, RMSNorm, RoPE, add, SiLU-mul. */
final class DenseKernels {
    private static final int LOCAL = 64;
    private final KernelLauncher launcher;
    private final ClMemory memory;
    private final Map<String, ClBuffer> invFreqTables = new HashMap<>();

    DenseKernels(KernelLauncher launcher, ClMemory memory) {
        this.launcher = launcher;
        this.memory = memory;
    }

    void embedding(DeviceBuffer table, DeviceBuffer ids, DeviceBuffer out, int tokens, int hidden, int vocab) {
        positive(tokens, "tokens");
        positive(hidden, "hidden");
        positive(vocab, "vocab");
        ClBuffer tb = launcher.weight(table, "table", (long) vocab * hidden, hidden);
        ClBuffer ib = launcher.buffer(ids, "ids", DType.I32, tokens);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, (long) tokens * hidden);
        launcher.launch("embedding", "embedding", weightDefine(tb.dtype()))
                .arg(tb).arg(ib).arg(ob).arg(tokens).arg(hidden).arg(vocab)
                .run2d(hidden, tokens, LOCAL, 1);
    }

    void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps) {
        positive(rows, "rows");
        positive(n, "n");
        checkEps(eps);
        ClBuffer xb = launcher.buffer(x, "x", DType.F32, (long) rows * n);
        ClBuffer wb = launcher.weight(w, "w", n);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, (long) rows * n);
        if (launcher.tuning().rowPerItem()) {
            launcher.launch("rms_norm", "rms_norm_rows", weightDefine(wb.dtype()))
                    .arg(xb).arg(wb).arg(ob).arg(n).arg(eps).arg(rows)
                    .run1d(rows, 16);
            return;
        }
        int local = launcher.tuning().reduceSize();
        launcher.launch("rms_norm", "rms_norm", weightDefine(wb.dtype()))
                .arg(xb).arg(wb).arg(ob).arg(n).arg(eps)
                .run1d((long) rows * local, local);
    }

    /** Backend.qkNorm in one launch when q and k norms share a weight dtype (else two rmsNorm launches). */
    void qkNorm(DeviceBuffer q, DeviceBuffer qNorm, int qRows, DeviceBuffer k, DeviceBuffer kNorm, int kRows, int n,
                float eps) {
        positive(qRows, "qRows");
        positive(kRows, "kRows");
        positive(n, "n");
        checkEps(eps);
        ClBuffer qb = launcher.buffer(q, "q", DType.F32, (long) qRows * n);
        ClBuffer qw = launcher.weight(qNorm, "qNorm", n);
        ClBuffer kb = launcher.buffer(k, "k", DType.F32, (long) kRows * n);
        ClBuffer kw = launcher.weight(kNorm, "kNorm", n);
        if (qb == kb) {
            throw new IllegalArgumentException("k ('" + kb.name() + "') may not alias q");
        }
        if (qw.dtype() != kw.dtype()) {
            rmsNorm(q, qNorm, q, qRows, n, eps);
            rmsNorm(k, kNorm, k, kRows, n, eps);
            return;
        }
        if (launcher.tuning().rowPerItem()) {
            launcher.launch("rms_norm", "rms_norm_rows2", weightDefine(qw.dtype()))
                    .arg(qb).arg(qw).arg(qRows).arg(kb).arg(kw).arg(kRows).arg(n).arg(eps)
                    .run1d((long) qRows + kRows, 16);
            return;
        }
        int local = launcher.tuning().reduceSize();
        launcher.launch("rms_norm", "rms_norm2", weightDefine(qw.dtype()))
                .arg(qb).arg(qw).arg(qRows).arg(kb).arg(kw).arg(n).arg(eps)
                .run1d(((long) qRows + kRows) * local, local);
    }

    /** Backend.ropeQk in one launch. */
    void ropeQk(DeviceBuffer q, DeviceBuffer k, DeviceBuffer positions, int tokens, int heads, int kvHeads,
                int headDim, float theta) {
        positive(tokens, "tokens");
        positive(heads, "heads");
        positive(kvHeads, "kvHeads");
        positive(headDim, "headDim");
        checkRope(headDim, theta);
        ClBuffer qb = launcher.buffer(q, "q", DType.F32, (long) tokens * heads * headDim);
        ClBuffer kb = launcher.buffer(k, "k", DType.F32, (long) tokens * kvHeads * headDim);
        ClBuffer pb = launcher.buffer(positions, "positions", DType.I32, tokens);
        if (qb == kb) {
            throw new IllegalArgumentException("k ('" + kb.name() + "') may not alias q");
        }
        int half = headDim / 2;
        long local = Math.min(LOCAL, Integer.highestOneBit(half));
        launcher.launch("rope", "rope_qk", "")
                .arg(qb).arg(kb).arg(pb).arg(invFrequencies(headDim, theta)).arg(tokens).arg(heads).arg(kvHeads)
                .arg(headDim)
                .run(new long[] {Launch.roundUp(half, local), heads + kvHeads, tokens}, new long[] {local, 1, 1});
    }

    void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        positive(tokens, "tokens");
        positive(heads, "heads");
        positive(headDim, "headDim");
        checkRope(headDim, theta);
        ClBuffer xb = launcher.buffer(x, "x", DType.F32, (long) tokens * heads * headDim);
        ClBuffer pb = launcher.buffer(positions, "positions", DType.I32, tokens);
        int half = headDim / 2;
        long local = Math.min(LOCAL, Integer.highestOneBit(half));
        launcher.launch("rope", "rope", "")
                .arg(xb).arg(pb).arg(invFrequencies(headDim, theta)).arg(tokens).arg(heads).arg(headDim)
                .run(new long[] {Launch.roundUp(half, local), heads, tokens}, new long[] {local, 1, 1});
    }

    private static void checkEps(float eps) {
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
    }

    private static void checkRope(int headDim, float theta) {
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even, got " + headDim);
        }
        if (!(theta > 0)) {
            throw new IllegalArgumentException("theta must be > 0, got " + theta);
        }
    }

    /**
     * inv_freq [headDim / 2] = 1 / theta^(2i / headDim), in double then rounded to F32 (device pow is less exact,
     * and at positions of thousands one ulp of inv_freq moves the angle by 1e-4), made once per (headDim, theta).
     */
    private ClBuffer invFrequencies(int headDim, float theta) {
        return invFreqTables.computeIfAbsent(headDim + "/" + Float.floatToRawIntBits(theta), key -> {
            float[] table = new float[headDim / 2];
            for (int i = 0; i < table.length; i++) {
                table[i] = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
            }
            ClBuffer b = memory.allocate("rope.invFreq[" + headDim + ", theta " + theta + "]", DType.F32, table.length);
            memory.write(b, 0, table, 0, table.length);
            return b;
        });
    }

    void close() {
        invFreqTables.values().forEach(ClBuffer::close);
        invFreqTables.clear();
    }

    /** Backend.addRmsNorm in one launch. */
    void addRmsNorm(DeviceBuffer residual, DeviceBuffer delta, DeviceBuffer w, DeviceBuffer normed, int rows, int n,
                    float eps) {
        positive(rows, "rows");
        positive(n, "n");
        checkEps(eps);
        ClBuffer rb = launcher.buffer(residual, "residual", DType.F32, (long) rows * n);
        ClBuffer db = launcher.buffer(delta, "delta", DType.F32, (long) rows * n);
        ClBuffer wb = launcher.weight(w, "w", n);
        ClBuffer nb = launcher.buffer(normed, "normed", DType.F32, (long) rows * n);
        if (nb == rb || nb == db) {
            throw new IllegalArgumentException("normed ('" + nb.name() + "') may not alias residual or delta");
        }
        if (launcher.tuning().rowPerItem()) {
            launcher.launch("rms_norm", "add_rms_norm_rows", weightDefine(wb.dtype()))
                    .arg(rb).arg(db).arg(wb).arg(nb).arg(n).arg(eps).arg(rows)
                    .run1d(rows, 16);
            return;
        }
        int local = launcher.tuning().reduceSize();
        launcher.launch("rms_norm", "add_rms_norm", weightDefine(wb.dtype()))
                .arg(rb).arg(db).arg(wb).arg(nb).arg(n).arg(eps)
                .run1d((long) rows * local, local);
    }

    void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        positive(n, "n");
        ClBuffer ab = launcher.buffer(a, "a", DType.F32, n);
        ClBuffer bb = launcher.buffer(b, "b", DType.F32, n);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, n);
        launcher.launch("add", "add", "").arg(ab).arg(bb).arg(ob).arg(n).run1d(n, LOCAL);
    }

    void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        positive(n, "n");
        ClBuffer gb = launcher.buffer(gate, "gate", DType.F32, n);
        ClBuffer ub = launcher.buffer(up, "up", DType.F32, n);
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, n);
        if (ob == gb || ob == ub) {
            throw new IllegalArgumentException("out ('" + ob.name() + "') may not alias gate or up");
        }
        launcher.launch("silu_mul", "silu_mul", "").arg(gb).arg(ub).arg(ob).arg(n).run1d(n, LOCAL);
    }
}
