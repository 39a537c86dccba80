// Router top-k of moe_forward.rs: per token, softmax over all experts in F32 (max subtracted), top-k by repeated
// argmax with ties to the lower expert index, weights divided by their sum when normTopk.
// Same operation order as the host Router (moe/Router.java) so that ids match it exactly: probabilities are
// exp(l - max) / sum and the argmax runs over those probabilities. With cl_khr_fp64 the exponential is taken in
// double and rounded, as Java's (float) Math.exp does; the sum is a tree reduction (a few ulp from the host's).
//
// Grid: one work-group per token, REDUCE_SIZE work-items (a power of two, from DeviceTuning).
// logits [tokens, experts], ids [tokens, k], weights [tokens, k]; prob is local [experts].

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#define ROUTE_EXP(v) ((float) exp((double) (v)))
#else
#define ROUTE_EXP(v) exp(v)
#endif

__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void route_topk(__global const float* logits, __global int* ids, __global float* weights,
                int experts, int k, int normTopk, __local float* prob) {
    __local float redValue[REDUCE_SIZE];
    __local int redIndex[REDUCE_SIZE];
    const int t = get_group_id(0);
    const int lid = get_local_id(0);
    __global const float* row = logits + (size_t) t * experts;

    float m = -INFINITY;
    for (int e = lid; e < experts; e += REDUCE_SIZE) {
        m = fmax(m, row[e]);
    }
    redValue[lid] = m;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            redValue[lid] = fmax(redValue[lid], redValue[lid + s]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float max = redValue[0];
    barrier(CLK_LOCAL_MEM_FENCE);

    float sum = 0.0f;
    for (int e = lid; e < experts; e += REDUCE_SIZE) {
        float v = ROUTE_EXP(row[e] - max);
        prob[e] = v;
        sum += v;
    }
    redValue[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            redValue[lid] += redValue[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const float total = redValue[0];
    for (int e = lid; e < experts; e += REDUCE_SIZE) {
        prob[e] = prob[e] / total;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // Repeated argmax; a taken expert is marked -1 (probabilities are >= 0, so every expert stays selectable).
    for (int slot = 0; slot < k; slot++) {
        float bestValue = -1.0f;
        int best = experts;
        for (int e = lid; e < experts; e += REDUCE_SIZE) {
            float v = prob[e];
            if (v > bestValue) {   // ascending e per work-item: strict '>' keeps the lower index
                bestValue = v;
                best = e;
            }
        }
        redValue[lid] = bestValue;
        redIndex[lid] = best;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
            if (lid < s) {
                float v = redValue[lid + s];
                int i = redIndex[lid + s];
                if (v > redValue[lid] || (v == redValue[lid] && i < redIndex[lid])) {
                    redValue[lid] = v;
                    redIndex[lid] = i;
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            int e = redIndex[0];
            ids[(size_t) t * k + slot] = e;
            weights[(size_t) t * k + slot] = redValue[0];
            prob[e] = -1.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    // Renormalise in slot order, as the host does (work-item 0 wrote every weight, so it reads them back).
    if (normTopk && lid == 0) {
        __global float* w = weights + (size_t) t * k;
        float s = 0.0f;
        for (int slot = 0; slot < k; slot++) {
            s += w[slot];
        }
        for (int slot = 0; slot < k; slot++) {
            w[slot] = w[slot] / s;
        }
    }
}
