// Router top-k of moe_forward.rs: per token, softmax over all experts in F32 (max subtracted), top-k by repeated
// argmax with ties to the lower expert index, weights divided by their sum when normTopk.
// Same operation order as the host Router (moe/Router.java) so that ids match it exactly: probabilities are
// exp(l - max) / sum and the argmax runs over those probabilities. With cl_khr_fp64 the exponential is taken in
// double and rounded, as Java's (float) Math.exp does; the sum is a tree reduction (a few ulp from the host's).
//
// The top-k is not k rounds of argmax (each a tree of barriers) but one pass: an expert's slot is its rank in the
// order (probability descending, index ascending), the order repeated argmax with lower-index ties produces.
// Grid: one work-group per token, REDUCE_SIZE work-items (a power of two, from DeviceTuning).
// logits [tokens, experts], ids [tokens, k], weights [tokens, k]; prob is local [2 * experts]: the probabilities,
// then the chosen ones by slot.

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

    __local float* chosen = prob + experts;
    for (int e = lid; e < experts; e += REDUCE_SIZE) {
        const float p = prob[e];
        int rank = 0;
        for (int j = 0; j < experts && rank < k; j++) {
            const float q = prob[j];
            rank += q > p || (q == p && j < e);
        }
        if (rank < k) {
            ids[(size_t) t * k + rank] = e;
            chosen[rank] = p;
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    // Weights in slot order; the renormalising sum is added in slot order, as the host does.
    float norm = 1.0f;
    if (normTopk) {
        float s = 0.0f;
        for (int slot = 0; slot < k; slot++) {
            s += chosen[slot];
        }
        norm = s;
    }
    for (int slot = lid; slot < k; slot += REDUCE_SIZE) {
        weights[(size_t) t * k + slot] = normTopk ? chosen[slot] / norm : chosen[slot];
    }
}
