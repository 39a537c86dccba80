package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.opencl.BackendPair.Buf;

/**
 * Causal GQA attention with a KV cache against the Java reference: prefill and decode, startPos > 0 over a cache
 * prefix already filled, MQA/GQA/MHA groupings, head sizes that are not multiples of 4, contexts that span many
 * softmax blocks, and F16/BF16 caches. The caches must match exactly after the store (same rounding); outputs are
 * convex combinations of values in [-1, 1], compared within 2e-5 absolute (F32 online softmax vs double reference).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AttentionParityTest {
    @AutoClose
    private final BackendPair p = new BackendPair();
    @AutoClose
    private final BackendPair other = BackendPair.otherKernelStyle();

    // The cases below include odd groups of query heads per kv head (6/2, 3/3: the CPU kernel takes heads in pairs)
    // and a Qwen3-30B-A3B-shaped decode step (32/4 heads, 128 dims, 2000 keys: split over the keys on a CPU device).

    /**
     * The device's other attention kernel (work-group online softmax vs one work-item per row) on some cases; on a
     * CPU device the few-heads cases also split the keys over work-groups, with splits that are empty for the
     * earliest tokens of a prefill.
     */
    @ParameterizedTest(name = "other style {0} tokens={1} start={2} heads={3}/{4} d={5} cap={6}")
    @CsvSource({
            "F32, 5, 0, 4, 2, 16, 8",
            "F32, 3, 300, 6, 3, 130, 320",
            "F16, 1, 1000, 2, 1, 64, 1001",
            "BF16, 2, 129, 4, 4, 6, 140",
            "F32, 7, 60, 1, 1, 16, 80"})
    void otherKernelStyleMatchesReference(DType cacheType, int tokens, int startPos, int heads, int kvHeads,
                                          int headDim, int capacity) {
        check(other, cacheType, tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    @ParameterizedTest(name = "{0} tokens={1} start={2} heads={3}/{4} d={5} cap={6}")
    @CsvSource({
            "F32, 1, 0, 1, 1, 2, 4",
            "F32, 5, 0, 4, 2, 16, 8",
            "F32, 3, 7, 4, 1, 64, 16",
            "F32, 1, 700, 8, 2, 128, 704",
            "F32, 17, 300, 6, 3, 130, 320",
            "F32, 67, 0, 2, 2, 6, 67",
            "F16, 4, 10, 4, 2, 64, 16",
            "BF16, 4, 129, 4, 4, 32, 140",
            "F16, 1, 1000, 2, 1, 64, 1001",
            "F32, 2, 40, 4, 2, 12, 64",
            "F32, 9, 20, 6, 2, 16, 40",
            "F32, 3, 14, 4, 1, 16, 20",
            "BF16, 1, 2000, 32, 4, 128, 2001",
            "F16, 2, 33, 3, 3, 128, 40"})
    void attentionMatchesReference(DType cacheType, int tokens, int startPos, int heads, int kvHeads, int headDim,
                                   int capacity) {
        check(p, cacheType, tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    private static void check(BackendPair p, DType cacheType, int tokens, int startPos, int heads, int kvHeads,
                              int headDim, int capacity) {
        int kvDim = kvHeads * headDim;
        Buf q = p.random("q", DType.F32, (long) tokens * heads * headDim, 61, 1.0f);
        Buf k = p.random("k", DType.F32, (long) tokens * kvDim, 62, 1.0f);
        Buf v = p.random("v", DType.F32, (long) tokens * kvDim, 63, 1.0f);
        Buf kCache = p.random("kCache", cacheType, (long) capacity * kvDim, 64, 1.0f);
        Buf vCache = p.random("vCache", cacheType, (long) capacity * kvDim, 65, 1.0f);
        Buf out = p.zeros("out", DType.F32, (long) tokens * heads * headDim);
        p.cl.attention(q.cl(), k.cl(), v.cl(), kCache.cl(), vCache.cl(), out.cl(), tokens, startPos, heads, kvHeads,
                headDim, capacity);
        p.ref.attention(q.ref(), k.ref(), v.ref(), kCache.ref(), vCache.ref(), out.ref(), tokens, startPos, heads,
                kvHeads, headDim, capacity);
        p.assertClose(kCache, capacity * kvDim, 0, 0, "kCache after store");
        p.assertClose(vCache, capacity * kvDim, 0, 0, "vCache after store");
        p.assertClose(out, tokens * heads * headDim, 2e-5, 0, "attention out");
    }

    /**
     * attentionAtRow (batched decode: one sequence's row of a batch, in place) against the Java reference, in both
     * kernel styles, for a short step (one head per work-item on a CPU device) and a long one (split over the keys):
     * the row's output matches and every other row of out is left as it was.
     */
    @ParameterizedTest(name = "{0} row={1}/{2} start={3} heads={4}/{5} d={6}")
    @CsvSource({
            "F32, 3, 5, 40, 4, 2, 32",
            "F16, 0, 2, 1500, 8, 2, 64",
            "BF16, 6, 7, 700, 6, 3, 16"})
    void oneRowOfABatchInPlace(DType cacheType, int row, int rows, int startPos, int heads, int kvHeads,
                               int headDim) {
        for (BackendPair pair : new BackendPair[] {p, other}) {
            int kvDim = kvHeads * headDim;
            int qDim = heads * headDim;
            int capacity = startPos + 1;
            Buf q = pair.random("q", DType.F32, (long) rows * qDim, 81, 1.0f);
            Buf k = pair.random("k", DType.F32, (long) rows * kvDim, 82, 1.0f);
            Buf v = pair.random("v", DType.F32, (long) rows * kvDim, 83, 1.0f);
            Buf kCache = pair.random("kCache", cacheType, (long) capacity * kvDim, 84, 1.0f);
            Buf vCache = pair.random("vCache", cacheType, (long) capacity * kvDim, 85, 1.0f);
            Buf out = pair.random("out", DType.F32, (long) rows * qDim, 86, 1.0f);
            float[] before = pair.cl.readFloats(out.cl(), 0, rows * qDim);
            pair.cl.attentionAtRow(q.cl(), k.cl(), v.cl(), kCache.cl(), vCache.cl(), out.cl(), row, startPos, heads,
                    kvHeads, headDim, capacity);
            pair.ref.attentionAtRow(q.ref(), k.ref(), v.ref(), kCache.ref(), vCache.ref(), out.ref(), row, startPos,
                    heads, kvHeads, headDim, capacity);
            pair.assertClose(kCache, capacity * kvDim, 0, 0, "kCache after store");
            pair.assertClose(out, rows * qDim, 2e-5, 0, "out");
            float[] after = pair.cl.readFloats(out.cl(), 0, rows * qDim);
            for (int i = 0; i < rows * qDim; i++) {
                if (i / qDim != row) {
                    assertTrue(Float.floatToRawIntBits(before[i]) == Float.floatToRawIntBits(after[i]),
                            "element " + i + " of another row changed");
                }
            }
            assertThrows(IllegalArgumentException.class, () -> pair.cl.attentionAtRow(q.cl(), k.cl(), v.cl(),
                    kCache.cl(), vCache.cl(), out.cl(), rows, startPos, heads, kvHeads, headDim, capacity),
                    "a row past the batch");
        }
    }

    /** Prefill of T tokens then decode of one more equals a single prefill of T + 1 (cache state carries over). */
    @Test
    void decodeAfterPrefillEqualsLongerPrefill() {
        int heads = 4;
        int kvHeads = 2;
        int d = 32;
        int kvDim = kvHeads * d;
        int t = 9;
        Buf q = p.random("q", DType.F32, (long) (t + 1) * heads * d, 71, 1.0f);
        Buf k = p.random("k", DType.F32, (long) (t + 1) * kvDim, 72, 1.0f);
        Buf v = p.random("v", DType.F32, (long) (t + 1) * kvDim, 73, 1.0f);
        Buf kc = p.zeros("kc", DType.F32, 16L * kvDim);
        Buf vc = p.zeros("vc", DType.F32, 16L * kvDim);
        Buf all = p.zeros("all", DType.F32, (long) (t + 1) * heads * d);
        p.cl.attention(q.cl(), k.cl(), v.cl(), kc.cl(), vc.cl(), all.cl(), t + 1, 0, heads, kvHeads, d, 16);
        float[] whole = p.cl.readFloats(all.cl(), (long) t * heads * d, heads * d);

        Buf kc2 = p.zeros("kc2", DType.F32, 16L * kvDim);
        Buf vc2 = p.zeros("vc2", DType.F32, 16L * kvDim);
        Buf part = p.zeros("part", DType.F32, (long) t * heads * d);
        p.cl.attention(q.cl(), k.cl(), v.cl(), kc2.cl(), vc2.cl(), part.cl(), t, 0, heads, kvHeads, d, 16);
        Buf q1 = p.zeros("q1", DType.F32, (long) heads * d);
        Buf k1 = p.zeros("k1", DType.F32, kvDim);
        Buf v1 = p.zeros("v1", DType.F32, kvDim);
        Buf o1 = p.zeros("o1", DType.F32, (long) heads * d);
        p.cl.copy(q.cl(), (long) t * heads * d, q1.cl(), 0, (long) heads * d);
        p.cl.copy(k.cl(), (long) t * kvDim, k1.cl(), 0, kvDim);
        p.cl.copy(v.cl(), (long) t * kvDim, v1.cl(), 0, kvDim);
        p.cl.attention(q1.cl(), k1.cl(), v1.cl(), kc2.cl(), vc2.cl(), o1.cl(), 1, t, heads, kvHeads, d, 16);
        float[] stepped = p.cl.readFloats(o1.cl(), 0, heads * d);
        for (int i = 0; i < whole.length; i++) {
            assertTrue(Math.abs(whole[i] - stepped[i]) <= 1e-6, "element " + i + ": " + whole[i] + " vs " + stepped[i]);
        }
    }

    @Test
    void rejectsOverflowingCacheAndBadGrouping() {
        Buf x = p.zeros("x", DType.F32, 64);
        Buf kc = p.zeros("kc", DType.F32, 64);
        Buf vc = p.zeros("vc", DType.F32, 64);
        Buf out = p.zeros("out", DType.F32, 64);
        IllegalArgumentException full = assertThrows(IllegalArgumentException.class, () -> p.cl.attention(
                x.cl(), x.cl(), x.cl(), kc.cl(), vc.cl(), out.cl(), 2, 3, 1, 1, 4, 4));
        assertTrue(full.getMessage().contains("capacity"), full.getMessage());
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class, () -> p.cl.attention(
                x.cl(), x.cl(), x.cl(), kc.cl(), vc.cl(), out.cl(), 1, 0, 3, 2, 4, 4));
        assertTrue(group.getMessage().contains("kvHeads"), group.getMessage());
    }
}
