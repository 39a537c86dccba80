// Causal grouped-query attention over a KV cache; HEAD_DIM is a compile-time define.
// Caches [capacity, kv_heads * HEAD_DIM] of wtype (F32, F16 or BF16 via -DW_*; stores round to nearest even);
// q, out [rows, heads * HEAD_DIM] and k, v [rows, kv_heads * HEAD_DIM] F32, of which the tokens are rows
// row0 .. row0 + tokens - 1 (row0 > 0: one sequence of a batched decode, without copying its rows out). The
// partial buffer of the key splits is indexed by the token t in 0 .. tokens - 1.

// Copies k, v of the new tokens into cache rows start_pos..start_pos + tokens - 1. Global (kv_dim, tokens).
__kernel void kv_store(__global const float *k, __global const float *v, __global wtype *k_cache,
                       __global wtype *v_cache, int row0, int tokens, int start_pos, int kv_dim) {
    int c = get_global_id(0);
    int t = get_global_id(1);
    if (c >= kv_dim || t >= tokens) {
        return;
    }
    size_t src = (size_t)(row0 + t) * kv_dim + c;
    size_t dst = (size_t)(start_pos + t) * kv_dim + c;
    STORE_W(k_cache, dst, k[src]);
    STORE_W(v_cache, dst, v[src]);
}

#define D_PER_ITEM ((HEAD_DIM + REDUCE_SIZE - 1) / REDUCE_SIZE)

// The P·V product of the GPU kernel: when a row of HEAD_DIM / 4 float4s divides the work-group, the work-group
// splits into KG key groups of DG items, item (kg, dg) accumulates dims 4dg..4dg+3 over keys kg, kg + KG, ... of
// each block (coalesced float4 row reads, every item busy), and the key groups are summed at the end.
#if HEAD_DIM % 4 == 0 && REDUCE_SIZE % (HEAD_DIM / 4) == 0
#define PV_VEC 1
#define DG (HEAD_DIM / 4)
#define KG (REDUCE_SIZE / DG)
#endif

inline float block_reduce_max(__local float *scratch, float v, int lid) {
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] = fmax(scratch[lid], scratch[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

inline float block_reduce_sum(__local float *scratch, float v, int lid) {
    scratch[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            scratch[lid] += scratch[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

// GPU attention, split over the keys (flash-decoding) so that a decode step of a few heads still fills the device:
// one work-group of REDUCE_SIZE items per (query head h, token t, key split c) attends over cache rows
// [c * chunk, min((c + 1) * chunk, start_pos + t + 1)) with an online (streaming) softmax in blocks of REDUCE_SIZE
// keys: item j scores key block0 + j, the block's max and sum come from local reductions, and item d accumulates
// output dimensions d, d + REDUCE_SIZE, ... rescaled by exp(old max - new max). Memory does not grow with the
// context. With one split the result goes to out; otherwise the unnormalised accumulator, max and sum go to
// partial [tokens, heads, splits, HEAD_DIM + 2] for attention_combine. Global (REDUCE_SIZE * heads, tokens, splits).
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void attention(__global const float *q, __global const wtype *k_cache, __global const wtype *v_cache,
               __global float *out, __global float *partial, int row0, int start_pos, int heads, int kv_heads,
               float scale, int chunk) {
    __local float q_local[HEAD_DIM];
    __local float p[REDUCE_SIZE];
    __local float scratch[REDUCE_SIZE];
    int lid = get_local_id(0);
    int h = get_group_id(0);
    int t = get_group_id(1);
    int split = get_group_id(2);
    int splits = get_num_groups(2);
    int kv_dim = kv_heads * HEAD_DIM;
    int kvh = h / (heads / kv_heads);
    int first = split * chunk;
    int end = min(start_pos + t + 1, first + chunk);
    __global const float *qh = q + ((size_t)(row0 + t) * heads + h) * HEAD_DIM;
    for (int d = lid; d < HEAD_DIM; d += REDUCE_SIZE) {
        q_local[d] = qh[d] * scale;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

#ifdef PV_VEC
    int dg = lid % DG;
    int kg = lid / DG;
    float4 acc4 = (float4)(0.0f);
#else
    float acc[D_PER_ITEM];
    for (int i = 0; i < D_PER_ITEM; i++) {
        acc[i] = 0.0f;
    }
#endif
    float running_max = -INFINITY;
    float running_sum = 0.0f;
    for (int block0 = first; block0 < end; block0 += REDUCE_SIZE) {
        int j = block0 + lid;
        float score = -INFINITY;
        if (j < end) {
            __global const wtype *kr = k_cache + (size_t)j * kv_dim + kvh * HEAD_DIM;
            float s = 0.0f;
            for (int d = 0; d < HEAD_DIM / 4; d++) {
                s += dot(LOAD_W4(kr, 4 * d), vload4(d, q_local));
            }
            for (int d = (HEAD_DIM / 4) * 4; d < HEAD_DIM; d++) {
                s += LOAD_W(kr, d) * q_local[d];
            }
            score = s;
        }
        float new_max = fmax(running_max, block_reduce_max(scratch, score, lid));
        float pj = j < end ? exp(score - new_max) : 0.0f;
        p[lid] = pj;
        float correction = exp(running_max - new_max);
        running_sum = running_sum * correction + block_reduce_sum(scratch, pj, lid);
        running_max = new_max;
        int block_len = min(REDUCE_SIZE, end - block0);
#ifdef PV_VEC
        float4 a4 = acc4 * correction;
        __global const wtype *vblock = v_cache + (size_t)block0 * kv_dim + kvh * HEAD_DIM;
        for (int jj = kg; jj < block_len; jj += KG) {
            a4 = fma((float4)(p[jj]), LOAD_W4(vblock + (size_t)jj * kv_dim, 4 * dg), a4);
        }
        acc4 = a4;
#else
        for (int i = 0; i < D_PER_ITEM; i++) {
            int d = lid + i * REDUCE_SIZE;
            if (d < HEAD_DIM) {
                float a = acc[i] * correction;
                __global const wtype *vcol = v_cache + (size_t)block0 * kv_dim + kvh * HEAD_DIM + d;
                for (int jj = 0; jj < block_len; jj++) {
                    a = fma(p[jj], LOAD_W(vcol, (size_t)jj * kv_dim), a);
                }
                acc[i] = a;
            }
        }
#endif
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#ifdef PV_VEC
    // Sum the key groups: afterwards items of key group 0 hold dims 4dg..4dg+3 in acc[0..3].
    __local float4 groups[REDUCE_SIZE];
    groups[lid] = acc4;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = KG / 2; s > 0; s >>= 1) {
        if (kg < s) {
            groups[lid] += groups[lid + s * DG];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float acc[4];
    vstore4(groups[lid], 0, acc);
    #define OUT_ITEMS 4
    #define OUT_DIM(i) (kg == 0 ? 4 * dg + (i) : HEAD_DIM)
#else
    #define OUT_ITEMS D_PER_ITEM
    #define OUT_DIM(i) (lid + (i) * REDUCE_SIZE)
#endif
    if (splits == 1) {
        __global float *oh = out + ((size_t)(row0 + t) * heads + h) * HEAD_DIM;
        for (int i = 0; i < OUT_ITEMS; i++) {
            int d = OUT_DIM(i);
            if (d < HEAD_DIM) {
                oh[d] = acc[i] / running_sum;
            }
        }
        return;
    }
    __global float *ph = partial + (((size_t)t * heads + h) * splits + split) * (HEAD_DIM + 2);
    for (int i = 0; i < OUT_ITEMS; i++) {
        int d = OUT_DIM(i);
        if (d < HEAD_DIM) {
            ph[d] = acc[i];
        }
    }
    if (lid == 0) {
        ph[HEAD_DIM] = running_max;
        ph[HEAD_DIM + 1] = running_sum;
    }
}

// Merges the key splits of attention: out[t, h, d] = sum_c e^(m_c - M) acc_c[d] / sum_c e^(m_c - M) l_c with
// M = max_c m_c (empty splits have m = -inf and weigh nothing). Global (HEAD_DIM, heads, tokens).
__kernel void attention_combine(__global const float *partial, __global float *out, int row0, int heads, int splits,
                                int tokens) {
    int d = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    if (d >= HEAD_DIM || h >= heads || t >= tokens) {
        return;
    }
    __global const float *ph = partial + ((size_t)t * heads + h) * splits * (HEAD_DIM + 2);
    float m = -INFINITY;
    for (int c = 0; c < splits; c++) {
        m = fmax(m, ph[c * (HEAD_DIM + 2) + HEAD_DIM]);
    }
    float num = 0.0f;
    float den = 0.0f;
    for (int c = 0; c < splits; c++) {
        __global const float *pc = ph + c * (HEAD_DIM + 2);
        float w = exp(pc[HEAD_DIM] - m);
        num = fma(w, pc[d], num);
        den = fma(w, pc[HEAD_DIM + 1], den);
    }
    out[((size_t)(row0 + t) * heads + h) * HEAD_DIM + d] = num / den;
}

// CPU variant: one work-item per (kv head, token) computes the GQA_GROUP query heads that share that kv head, so each
// key and value row is read from memory once for the group rather than once per head (8 times for Qwen3-30B-A3B's
// 32 query heads over 4 kv heads). The keys go in blocks of KEY_BLOCK = 16 rows, which stay in the L1 while every head
// of the group takes them: 16 independent dot products (the core overlaps them), one max, one 16-wide exp and one
// rescale of the head's accumulator per block, an online softmax over blocks. Query and accumulator rows are vectors
// of AV lanes (16 or 4 when HEAD_DIM allows). No barriers: on CPU devices a work-item is a loop iteration.
// Before (one work-item per query head, key by key): 17-19 GFLOP/s for a 4000-key decode step on the 2-core EPYC,
// every key waiting for the one before it and each kv row read by all 8 heads (docs/benchmarks.md).
// With few (kv head, token) items (a decode step) the keys are also split over the third dimension into chunks of a
// multiple of KEY_BLOCK, each split writing its unnormalised accumulator, max and sum to partial, and
// attention_combine merges them as it does the GPU kernel's splits.
// A short decode step (few items, no key split) takes one query head per work-item instead (item_heads = 1), as many
// items as heads: there the keys are few and the cores, not the reads, are what is short.
// Build option GQA_GROUP = heads / kv_heads. Global (kv_heads * GQA_GROUP / item_heads, tokens, splits).
#if HEAD_DIM % 16 == 0
#define AV 16
typedef float16 floatv;
#define LOAD_WV(p, i) LOAD_W16(p, 16 * (i))
#define LOAD_FV(p, i) vload16((i), (p))
inline float hsum(float16 v) {
    float8 a = v.lo + v.hi;
    float4 b = a.lo + a.hi;
    return b.x + b.y + b.z + b.w;
}
#elif HEAD_DIM % 4 == 0
#define AV 4
typedef float4 floatv;
#define LOAD_WV(p, i) LOAD_W4(p, 4 * (i))
#define LOAD_FV(p, i) vload4((i), (p))
inline float hsum(float4 v) {
    return v.x + v.y + v.z + v.w;
}
#else
#define AV 1
typedef float floatv;
#define LOAD_WV(p, i) LOAD_W(p, i)
#define LOAD_FV(p, i) ((p)[i])
inline float hsum(float v) {
    return v;
}
#endif

#define KEY_BLOCK 16

inline float max_of16(float16 v) {
    float8 a = fmax(v.lo, v.hi);
    float4 b = fmax(a.lo, a.hi);
    return fmax(fmax(b.x, b.y), fmax(b.z, b.w));
}

// Scores of key j0 + i for the two heads of a pair, one read of the key row (the last key in its place past the
// end; the block masks those).
#define KEY_SCORES(i) ({                                                                         \
        __global const wtype *kr = k_cache + (size_t)min(j0 + (i), last) * kv_dim + kvh * HEAD_DIM; \
        floatv s0 = (floatv)(0.0f);                                                              \
        floatv s1 = (floatv)(0.0f);                                                              \
        for (int d = 0; d < HEAD_DIM / AV; d++) {                                                \
            const floatv kd = LOAD_WV(kr, d);                                                    \
            s0 = fma(q0[d], kd, s0);                                                             \
            s1 = fma(q1[d], kd, s1);                                                             \
        }                                                                                        \
        (float2)(hsum(s0), hsum(s1));                                                            \
    })

// a0 += w0 * value row of key j0 + i, a1 += w1 * the same row (a masked key has weight 0 and reads the last row).
#define ADD_VALUES(i, w0, w1) {                                                                  \
        __global const wtype *vr = v_cache + (size_t)min(j0 + (i), last) * kv_dim + kvh * HEAD_DIM; \
        const floatv b0 = (floatv)(w0);                                                          \
        const floatv b1 = (floatv)(w1);                                                          \
        for (int d = 0; d < HEAD_DIM / AV; d++) {                                                \
            const floatv vd = LOAD_WV(vr, d);                                                    \
            a0[d] = fma(b0, vd, a0[d]);                                                          \
            a1[d] = fma(b1, vd, a1[d]);                                                          \
        }                                                                                        \
    }

#ifdef GQA_GROUP
__kernel void attention_rows(__global const float *q, __global const wtype *k_cache, __global const wtype *v_cache,
                             __global float *out, __global float *partial, int row0, int start_pos, int heads,
                             int kv_heads, float scale, int tokens, int chunk, int item_heads) {
    // item_heads query heads of one kv head per work-item: all GQA_GROUP of them, or 1 when there are too few items
    // to keep the cores busy and too few keys to split (a short decode step)
    int parts = GQA_GROUP / item_heads;
    int kvh = get_global_id(0) / parts;
    int h0 = kvh * GQA_GROUP + (get_global_id(0) % parts) * item_heads;
    int t = get_global_id(1);
    int split = get_global_id(2);
    int splits = get_global_size(2);
    if (kvh >= kv_heads || t >= tokens) {
        return;
    }
    int kv_dim = kv_heads * HEAD_DIM;
    int first = split * chunk;
    int length = min(start_pos + t + 1, first + chunk);   // this split's keys are [first, length)
    int last = length - 1;
    __global const float *qt = q + ((size_t)(row0 + t) * heads + h0) * HEAD_DIM;
    floatv acc[GQA_GROUP][HEAD_DIM / AV];
    float running_max[GQA_GROUP];
    float running_sum[GQA_GROUP];
    for (int g = 0; g < item_heads; g++) {
        for (int d = 0; d < HEAD_DIM / AV; d++) {
            acc[g][d] = (floatv)(0.0f);
        }
        running_max[g] = -INFINITY;
        running_sum[g] = 0.0f;
    }
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (int j0 = first; j0 < length; j0 += KEY_BLOCK) {
        const int16 past_end = lane + j0 > last;
        // two heads at a time: each key and value row loaded once feeds two fma chains; an odd group's last head
        // goes as both of its pair, from the same state, so both halves store the same result
        for (int g0 = 0; g0 < item_heads; g0 += 2) {
            const int g1 = min(g0 + 1, item_heads - 1);
            floatv q0[HEAD_DIM / AV];
            floatv q1[HEAD_DIM / AV];
            for (int d = 0; d < HEAD_DIM / AV; d++) {
                q0[d] = LOAD_FV(qt + g0 * HEAD_DIM, d);
                q1[d] = LOAD_FV(qt + g1 * HEAD_DIM, d);
            }
            const float2 c0 = KEY_SCORES(0), c1 = KEY_SCORES(1), c2 = KEY_SCORES(2), c3 = KEY_SCORES(3);
            const float2 c4 = KEY_SCORES(4), c5 = KEY_SCORES(5), c6 = KEY_SCORES(6), c7 = KEY_SCORES(7);
            const float2 c8 = KEY_SCORES(8), c9 = KEY_SCORES(9), ca = KEY_SCORES(10), cb = KEY_SCORES(11);
            const float2 cc = KEY_SCORES(12), cd = KEY_SCORES(13), ce = KEY_SCORES(14), cf = KEY_SCORES(15);
            float16 s0 = (float16)(c0.x, c1.x, c2.x, c3.x, c4.x, c5.x, c6.x, c7.x,
                                   c8.x, c9.x, ca.x, cb.x, cc.x, cd.x, ce.x, cf.x) * scale;
            float16 s1 = (float16)(c0.y, c1.y, c2.y, c3.y, c4.y, c5.y, c6.y, c7.y,
                                   c8.y, c9.y, ca.y, cb.y, cc.y, cd.y, ce.y, cf.y) * scale;
            s0 = select(s0, (float16)(-INFINITY), past_end);
            s1 = select(s1, (float16)(-INFINITY), past_end);
            // the block holds key j0 <= last, so a new max is finite; the first block's correction is exp(-inf) = 0
            const float m0 = fmax(running_max[g0], max_of16(s0));
            const float m1 = fmax(running_max[g1], max_of16(s1));
            const float corr0 = exp(running_max[g0] - m0);
            const float corr1 = exp(running_max[g1] - m1);
            const float16 p0 = exp(s0 - m0);
            const float16 p1 = exp(s1 - m1);
            const float sum0 = fma(running_sum[g0], corr0, sum16(p0));
            const float sum1 = fma(running_sum[g1], corr1, sum16(p1));
            floatv a0[HEAD_DIM / AV];
            floatv a1[HEAD_DIM / AV];
            for (int d = 0; d < HEAD_DIM / AV; d++) {
                a0[d] = acc[g0][d] * corr0;
                a1[d] = acc[g1][d] * corr1;
            }
            ADD_VALUES(0, p0.s0, p1.s0) ADD_VALUES(1, p0.s1, p1.s1) ADD_VALUES(2, p0.s2, p1.s2)
            ADD_VALUES(3, p0.s3, p1.s3) ADD_VALUES(4, p0.s4, p1.s4) ADD_VALUES(5, p0.s5, p1.s5)
            ADD_VALUES(6, p0.s6, p1.s6) ADD_VALUES(7, p0.s7, p1.s7) ADD_VALUES(8, p0.s8, p1.s8)
            ADD_VALUES(9, p0.s9, p1.s9) ADD_VALUES(10, p0.sa, p1.sa) ADD_VALUES(11, p0.sb, p1.sb)
            ADD_VALUES(12, p0.sc, p1.sc) ADD_VALUES(13, p0.sd, p1.sd) ADD_VALUES(14, p0.se, p1.se)
            ADD_VALUES(15, p0.sf, p1.sf)
            for (int d = 0; d < HEAD_DIM / AV; d++) {
                acc[g0][d] = a0[d];
                acc[g1][d] = a1[d];
            }
            running_max[g0] = m0;
            running_max[g1] = m1;
            running_sum[g0] = sum0;
            running_sum[g1] = sum1;
        }
    }
    if (splits > 1) {
        // unnormalised, with max and sum, for attention_combine; an empty split (keys past this token's) stays
        // max -inf, sum 0 and weighs nothing there
        for (int g = 0; g < item_heads; g++) {
            int h = h0 + g;
            __global float *ph = partial + (((size_t)t * heads + h) * splits + split) * (HEAD_DIM + 2);
            for (int d = 0; d < HEAD_DIM / AV; d++) {
#if AV == 1
                ph[d] = acc[g][d];
#elif AV == 4
                vstore4(acc[g][d], d, ph);
#else
                vstore16(acc[g][d], d, ph);
#endif
            }
            ph[HEAD_DIM] = running_max[g];
            ph[HEAD_DIM + 1] = running_sum[g];
        }
        return;
    }
    for (int g = 0; g < item_heads; g++) {
        __global float *oh = out + ((size_t)(row0 + t) * heads + h0 + g) * HEAD_DIM;
        float inv = 1.0f / running_sum[g];
        for (int d = 0; d < HEAD_DIM / AV; d++) {
            floatv o = acc[g][d] * inv;
#if AV == 1
            oh[d] = o;
#elif AV == 4
            vstore4(o, d, oh);
#else
            vstore16(o, d, oh);
#endif
        }
    }
}
#endif
