// Causal grouped-query attention over a KV cache; HEAD_DIM is a compile-time define.
// Caches [capacity, kv_heads * HEAD_DIM] of wtype (F32, F16 or BF16 via -DW_*; stores round to nearest even);
// q, out [tokens, heads * HEAD_DIM] and k, v [tokens, kv_heads * HEAD_DIM] F32.

// Copies k, v of the new tokens into cache rows start_pos..start_pos + tokens - 1. Global (kv_dim, tokens).
__kernel void kv_store(__global const float *k, __global const float *v, __global wtype *k_cache,
                       __global wtype *v_cache, int tokens, int start_pos, int kv_dim) {
    int c = get_global_id(0);
    int t = get_global_id(1);
    if (c >= kv_dim || t >= tokens) {
        return;
    }
    size_t src = (size_t)t * kv_dim + c;
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
               __global float *out, __global float *partial, int start_pos, int heads, int kv_heads, float scale,
               int chunk) {
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
    __global const float *qh = q + ((size_t)t * heads + h) * HEAD_DIM;
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
                s += dot(LOAD_W4(kr, d), vload4(d, q_local));
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
            a4 = fma((float4)(p[jj]), LOAD_W4(vblock + (size_t)jj * kv_dim, dg), a4);
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
        __global float *oh = out + ((size_t)t * heads + h) * HEAD_DIM;
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
__kernel void attention_combine(__global const float *partial, __global float *out, int heads, int splits,
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
    out[((size_t)t * heads + h) * HEAD_DIM + d] = num / den;
}

// CPU variant: one work-item per (query head h, token t) streams the keys in order with an online softmax, the
// query and the output accumulator in private vectors of AV lanes (16 or 4 when HEAD_DIM allows, so the dot product
// is reassociated into lanes and vectorises). No barriers: on CPU devices a work-item is a loop iteration.
// Global (heads, tokens).
#if HEAD_DIM % 16 == 0
#define AV 16
typedef float16 floatv;
#define LOAD_WV(p, i) LOAD_W16(p, i)
#define LOAD_FV(p, i) vload16((i), (p))
inline float hsum(float16 v) {
    float8 a = v.lo + v.hi;
    float4 b = a.lo + a.hi;
    return b.x + b.y + b.z + b.w;
}
#elif HEAD_DIM % 4 == 0
#define AV 4
typedef float4 floatv;
#define LOAD_WV(p, i) LOAD_W4(p, i)
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

__kernel void attention_rows(__global const float *q, __global const wtype *k_cache, __global const wtype *v_cache,
                             __global float *out, int start_pos, int heads, int kv_heads, float scale, int tokens) {
    int h = get_global_id(0);
    int t = get_global_id(1);
    if (h >= heads || t >= tokens) {
        return;
    }
    int kv_dim = kv_heads * HEAD_DIM;
    int kvh = h / (heads / kv_heads);
    int length = start_pos + t + 1;
    __global const float *qh = q + ((size_t)t * heads + h) * HEAD_DIM;
    floatv qv[HEAD_DIM / AV];
    floatv acc[HEAD_DIM / AV];
    for (int d = 0; d < HEAD_DIM / AV; d++) {
        qv[d] = LOAD_FV(qh, d) * scale;
        acc[d] = (floatv)(0.0f);
    }
    float running_max = -INFINITY;
    float running_sum = 0.0f;
    for (int j = 0; j < length; j++) {
        __global const wtype *kr = k_cache + (size_t)j * kv_dim + kvh * HEAD_DIM;
        __global const wtype *vr = v_cache + (size_t)j * kv_dim + kvh * HEAD_DIM;
        floatv sv = (floatv)(0.0f);
        for (int d = 0; d < HEAD_DIM / AV; d++) {
            sv = fma(qv[d], LOAD_WV(kr, d), sv);
        }
        float s = hsum(sv);
        if (s > running_max) {
            float correction = exp(running_max - s);
            running_sum *= correction;
            for (int d = 0; d < HEAD_DIM / AV; d++) {
                acc[d] *= correction;
            }
            running_max = s;
        }
        float p = exp(s - running_max);
        running_sum += p;
        for (int d = 0; d < HEAD_DIM / AV; d++) {
            acc[d] = fma((floatv)(p), LOAD_WV(vr, d), acc[d]);
        }
    }
    __global float *oh = out + ((size_t)t * heads + h) * HEAD_DIM;
    float inv = 1.0f / running_sum;
    for (int d = 0; d < HEAD_DIM / AV; d++) {
        floatv o = acc[d] * inv;
#if AV == 1
        oh[d] = o;
#elif AV == 4
        vstore4(o, d, oh);
#else
        vstore16(o, d, oh);
#endif
    }
}
