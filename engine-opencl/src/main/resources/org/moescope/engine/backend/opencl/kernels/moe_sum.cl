// Weighted sums of the expert outputs (moe_forward.rs weighted_sum_*): for token t,
// sum_s weights[t, s] * down[t * k + s, :], with slots added in order s = 0 .. k-1.
// down [tokens * k, hidden], weights [tokens, k]. nextNorm is wtype (common.cl).

inline float weighted_row(__global const float* down, __global const float* weights, int t, int k, int hidden, int i) {
    float acc = 0.0f;
    for (int s = 0; s < k; s++) {
        const size_t p = (size_t) t * k + s;
        acc = mad(weights[p], down[p * hidden + i], acc);
    }
    return acc;
}

// out [tokens, hidden]. Grid: (hidden rounded up, tokens).
__kernel void weighted_sum(__global const float* down, __global const float* weights, __global float* out,
                           int k, int hidden) {
    const int i = get_global_id(0);
    const int t = get_global_id(1);
    if (i < hidden) {
        out[(size_t) t * hidden + i] = weighted_row(down, weights, t, k, hidden, i);
    }
}

// residual [tokens, hidden] += the weighted sum. Grid: (hidden rounded up, tokens).
__kernel void weighted_sum_residual(__global const float* down, __global const float* weights,
                                    __global float* residual, int k, int hidden) {
    const int i = get_global_id(0);
    const int t = get_global_id(1);
    if (i < hidden) {
        residual[(size_t) t * hidden + i] += weighted_row(down, weights, t, k, hidden, i);
    }
}

// The same, fused with the next layer's input RMSNorm: normOut[t, :] = r / sqrt(mean(r^2) + eps) * nextNorm with
// r the updated residual row. Grid: one work-group of REDUCE_SIZE (a power of two) work-items per token.
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void weighted_sum_residual_norm(__global const float* down, __global const float* weights,
                                __global float* residual, __global const wtype* nextNorm,
                                __global float* normOut, int k, int hidden, float eps) {
    __local float squares[REDUCE_SIZE];
    const int t = get_group_id(0);
    const int lid = get_local_id(0);
    __global float* r = residual + (size_t) t * hidden;
    float ss = 0.0f;
    for (int i = lid; i < hidden; i += REDUCE_SIZE) {
        const float v = r[i] + weighted_row(down, weights, t, k, hidden, i);
        r[i] = v;
        ss = mad(v, v, ss);
    }
    squares[lid] = ss;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            squares[lid] += squares[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float inv = 1.0f / sqrt(squares[0] / hidden + eps);
    __global float* o = normOut + (size_t) t * hidden;
    for (int i = lid; i < hidden; i += REDUCE_SIZE) {
        o[i] = r[i] * inv * LOAD_W(nextNorm, i);   // r[i] was written by this work-item
    }
}
