package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/** Causal GQA attention with a KV cache of F32, F16 or BF16 (kernels/attention.cl): store k, v, then attend. */
final class AttentionKernels {
    private final KernelLauncher launcher;

    AttentionKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                   DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim, int capacity) {
        positive(tokens, "tokens");
        positive(heads, "heads");
        positive(kvHeads, "kvHeads");
        positive(headDim, "headDim");
        positive(capacity, "capacity");
        KernelLauncher.nonNegative(startPos, "startPos");
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if ((long) startPos + tokens > capacity) {
            throw new IllegalArgumentException("startPos + tokens (" + ((long) startPos + tokens)
                    + ") exceeds the cache capacity " + capacity);
        }
        int kvDim = kvHeads * headDim;
        long qSize = (long) tokens * heads * headDim;
        ClBuffer qb = launcher.buffer(q, "q", DType.F32, qSize);
        ClBuffer kb = launcher.buffer(k, "k", DType.F32, (long) tokens * kvDim);
        ClBuffer vb = launcher.buffer(v, "v", DType.F32, (long) tokens * kvDim);
        ClBuffer kc = launcher.weight(kCache, "kCache", (long) capacity * kvDim);
        ClBuffer vc = launcher.weight(vCache, "vCache", (long) capacity * kvDim);
        if (vc.dtype() != kc.dtype()) {
            throw new IllegalArgumentException("vCache ('" + vc.name() + "') is " + vc.dtype() + " but kCache is "
                    + kc.dtype() + "; both caches must have one dtype");
        }
        ClBuffer ob = launcher.buffer(out, "out", DType.F32, qSize);
        if (kc == vc) {
            throw new IllegalArgumentException("kCache and vCache are the same buffer ('" + kc.name() + "')");
        }
        if (ob == qb || ob == kc || ob == vc) {
            throw new IllegalArgumentException("out ('" + ob.name() + "') may not alias q or a cache");
        }
        String options = KernelLauncher.weightDefine(kc.dtype()) + " -DHEAD_DIM=" + headDim;
        launcher.launch("attention", "kv_store", options)
                .arg(kb).arg(vb).arg(kc).arg(vc).arg(tokens).arg(startPos).arg(kvDim)
                .run2d(kvDim, tokens, 64, 1);
        int local = launcher.tuning().reduceSize();
        launcher.launch("attention", "attention", options)
                .arg(qb).arg(kc).arg(vc).arg(ob).arg(startPos).arg(heads).arg(kvHeads)
                .arg((float) (1.0 / Math.sqrt(headDim)))
                .run2d((long) heads * local, tokens, local, 1);
    }
}
