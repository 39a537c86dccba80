package org.moescope.engine.backend.opencl;

import static org.moescope.engine.backend.opencl.KernelLauncher.positive;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * Causal GQA attention with a KV cache of F32, F16 or BF16 (kernels/attention.cl): store k, v, then attend.
 * On GPUs the keys are split over several work-groups when heads x tokens alone would not fill the device
 * (decode), and a second kernel merges the splits; the partials live in a scratch buffer that only grows.
 */
final class AttentionKernels {
    /** Most key splits per (head, token); each split covers at least one softmax block of keys. */
    private static final int MAX_SPLITS = 64;
    /** Keys per block of the CPU kernel (KEY_BLOCK in attention.cl); its key splits are multiples of it. */
    private static final int CPU_KEY_BLOCK = 16;
    /**
     * Fewest keys a CPU key split takes: a split costs a combine launch (tens of µs on POCL), which a short context
     * (the sample model's, or any decode's first few hundred steps) would pay for no gain.
     */
    private static final int CPU_MIN_SPLIT_KEYS = 512;
    private final KernelLauncher launcher;
    private final ClMemory memory;
    private ClBuffer partials;

    AttentionKernels(KernelLauncher launcher, ClMemory memory) {
        this.launcher = launcher;
        this.memory = memory;
    }

    void close() {
        if (partials != null) {
            partials.close();
            partials = null;
        }
    }

    /** Attention of rows [row0, row0 + tokens) of q, k, v and out (Backend.attention has row0 = 0). */
    void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                   DeviceBuffer out, int row0, int tokens, int startPos, int heads, int kvHeads, int headDim,
                   int capacity) {
        KernelLauncher.nonNegative(row0, "row");
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
        long rows = (long) row0 + tokens;
        long qSize = rows * heads * headDim;
        ClBuffer qb = launcher.buffer(q, "q", DType.F32, qSize);
        ClBuffer kb = launcher.buffer(k, "k", DType.F32, rows * kvDim);
        ClBuffer vb = launcher.buffer(v, "v", DType.F32, rows * kvDim);
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
        boolean rowPerItem = launcher.tuning().rowPerItem();
        // the CPU kernel takes the query heads that share a kv head together, and is only built for CPU devices
        String options = KernelLauncher.weightDefine(kc.dtype()) + " -DHEAD_DIM=" + headDim
                + (rowPerItem ? " -DGQA_GROUP=" + heads / kvHeads : "");
        launcher.launch("attention", "kv_store", options)
                .arg(kb).arg(vb).arg(kc).arg(vc).arg(row0).arg(tokens).arg(startPos).arg(kvDim)
                .run2d(kvDim, tokens, 64, 1);
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (rowPerItem) {
            rowsKernel(qb, kc, vc, ob, options, row0, tokens, startPos, heads, kvHeads, headDim, scale);
        } else {
            workGroupKernel(qb, kc, vc, ob, options, row0, tokens, startPos, heads, kvHeads, headDim, scale);
        }
    }

    /**
     * CPU devices: one work-item per (kv head, token) for the query heads that share the kv head, split over the keys
     * when there are too few such items to keep every core busy (a decode step has kvHeads of them); a short decode
     * step, too short to split, takes one query head per item instead.
     */
    private void rowsKernel(ClBuffer q, ClBuffer kCache, ClBuffer vCache, ClBuffer out, String options, int row0,
                            int tokens, int startPos, int heads, int kvHeads, int headDim, float scale) {
        int maxLength = startPos + tokens;
        int splits = splits(kvHeads, tokens, maxLength, CPU_MIN_SPLIT_KEYS);
        int chunk = ceilDiv(ceilDiv(maxLength, splits), CPU_KEY_BLOCK) * CPU_KEY_BLOCK;
        splits = ceilDiv(maxLength, chunk);
        ClBuffer scratch = partials((long) tokens * heads * splits * (headDim + 2));
        boolean fewItems = (long) kvHeads * tokens < itemsWanted() && splits == 1;
        int itemHeads = fewItems ? 1 : heads / kvHeads;
        launcher.launch("attention", "attention_rows", options)
                .arg(q).arg(kCache).arg(vCache).arg(out).arg(scratch).arg(row0).arg(startPos).arg(heads).arg(kvHeads)
                .arg(scale).arg(tokens).arg(chunk).arg(itemHeads)
                .run(new long[] {(long) heads / itemHeads, tokens, splits}, new long[] {1, 1, 1});
        combine(scratch, out, options, row0, tokens, heads, headDim, splits);
    }

    /** GPUs: one work-group per (query head, token, key split), an online softmax over blocks of keys. */
    private void workGroupKernel(ClBuffer q, ClBuffer kCache, ClBuffer vCache, ClBuffer out, String options,
                                 int row0, int tokens, int startPos, int heads, int kvHeads, int headDim,
                                 float scale) {
        int local = launcher.tuning().reduceSize();
        int maxLength = startPos + tokens;
        int splits = splits(heads, tokens, maxLength, local);
        int chunk = ceilDiv(ceilDiv(maxLength, splits), local) * local;
        splits = ceilDiv(maxLength, chunk);
        ClBuffer scratch = partials((long) tokens * heads * splits * (headDim + 2));
        launcher.launch("attention", "attention", options)
                .arg(q).arg(kCache).arg(vCache).arg(out).arg(scratch).arg(row0).arg(startPos).arg(heads).arg(kvHeads)
                .arg(scale).arg(chunk)
                .run(new long[] {(long) heads * local, tokens, splits}, new long[] {local, 1, 1});
        combine(scratch, out, options, row0, tokens, heads, headDim, splits);
    }

    /** Merges the key splits of either attention kernel into out; nothing to do for one split. */
    private void combine(ClBuffer scratch, ClBuffer out, String options, int row0, int tokens, int heads,
                         int headDim, int splits) {
        if (splits > 1) {
            long combineLocal = Math.min(64, Integer.highestOneBit(headDim));
            launcher.launch("attention", "attention_combine", options)
                    .arg(scratch).arg(out).arg(row0).arg(heads).arg(splits).arg(tokens)
                    .run(new long[] {Launch.roundUp(headDim, combineLocal), heads, tokens},
                            new long[] {combineLocal, 1, 1});
        }
    }

    /** Enough key splits for about four work-groups per compute unit, each split at least {@code block} keys. */
    private int splits(int heads, int tokens, int maxLength, int block) {
        long groups = (long) heads * tokens;
        long wanted = itemsWanted();
        if (groups >= wanted) {
            return 1;
        }
        long splits = Math.min(ceilDiv(wanted, groups), MAX_SPLITS);
        return (int) Math.max(1, Math.min(splits, ceilDiv(maxLength, block)));
    }

    /** About four work-groups per compute unit. */
    private long itemsWanted() {
        return 4L * launcher.runtime().info().computeUnits();
    }

    private ClBuffer partials(long floats) {
        if (partials == null || partials.length() < floats) {
            close();
            partials = memory.allocate("attention.partials", DType.F32, Math.max(floats, 1));
        }
        return partials;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
