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

// One work-group of REDUCE_SIZE items per (query head h, token t): attends over cache rows 0..start_pos + t with
// an online (streaming) softmax in blocks of REDUCE_SIZE keys: item j scores key block0 + j, the block's max and
// sum come from local reductions, and item d accumulates output dimensions d, d + REDUCE_SIZE, ... rescaled by
// exp(old max - new max). Memory does not grow with the context. Global (REDUCE_SIZE * heads, tokens).
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void attention(__global const float *q, __global const wtype *k_cache, __global const wtype *v_cache,
               __global float *out, int start_pos, int heads, int kv_heads, float scale) {
    __local float q_local[HEAD_DIM];
    __local float p[REDUCE_SIZE];
    __local float scratch[REDUCE_SIZE];
    int lid = get_local_id(0);
    int h = get_group_id(0);
    int t = get_group_id(1);
    int kv_dim = kv_heads * HEAD_DIM;
    int kvh = h / (heads / kv_heads);
    int length = start_pos + t + 1;
    __global const float *qh = q + ((size_t)t * heads + h) * HEAD_DIM;
    for (int d = lid; d < HEAD_DIM; d += REDUCE_SIZE) {
        q_local[d] = qh[d] * scale;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    float acc[D_PER_ITEM];
    for (int i = 0; i < D_PER_ITEM; i++) {
        acc[i] = 0.0f;
    }
    float running_max = -INFINITY;
    float running_sum = 0.0f;
    for (int block0 = 0; block0 < length; block0 += REDUCE_SIZE) {
        int j = block0 + lid;
        float score = -INFINITY;
        if (j < length) {
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
        float pj = j < length ? exp(score - new_max) : 0.0f;
        p[lid] = pj;
        float correction = exp(running_max - new_max);
        running_sum = running_sum * correction + block_reduce_sum(scratch, pj, lid);
        running_max = new_max;
        int block_len = min(REDUCE_SIZE, length - block0);
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
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    __global float *oh = out + ((size_t)t * heads + h) * HEAD_DIM;
    for (int i = 0; i < D_PER_ITEM; i++) {
        int d = lid + i * REDUCE_SIZE;
        if (d < HEAD_DIM) {
            oh[d] = acc[i] / running_sum;
        }
    }
}
