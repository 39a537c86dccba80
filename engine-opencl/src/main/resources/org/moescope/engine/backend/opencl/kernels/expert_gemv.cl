// Pair-indexed expert GEMVs of the MoE decode and batched decode (moe_forward.rs gemv_* and the fused
// gate_up_silu): for pair p, out[p, :] = w[ids[p]] · x[p / xRowDivisor, :]. Memory bound: each weight row is
// streamed once by MOE_GEMV_LANES work-items with 4-wide loads (neighbouring lanes read neighbouring 16-byte pieces),
// MOE_GEMV_ROWS rows per work-group, and the lane partial sums are added in local memory. (8-wide loads per lane
// measured slower on an H200 and on POCL: 17.6 -> 26.8 us for the F16 decode GEMV.)
// An id outside [0, experts) (not produced by routeTopk) yields NaN rows instead of reading outside w.
// Build options: MOE_GEMV_LANES (power of two), MOE_GEMV_ROWS, MOE_GEMV_ITEM_ROWS, the weight type (common.cl).
// Grid: (MOE_GEMV_LANES, MOE_GEMV_ROWS * ceil(outDim / MOE_GEMV_ROWS), pairs); local (MOE_GEMV_LANES, MOE_GEMV_ROWS, 1).

// Adds the MOE_GEMV_LANES partial sums of this work-item's row; the total is valid in lane 0.
inline float row_sum(float v, __local float* partial) {
    const int lane = get_local_id(0);
    __local float* mine = partial + get_local_id(1) * MOE_GEMV_LANES;
    mine[lane] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = MOE_GEMV_LANES / 2; s > 0; s >>= 1) {
        if (lane < s) {
            mine[lane] += mine[lane + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    return mine[0];
}

inline float silu(float v) {
    return v / (1.0f + exp(-v));
}

__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gemv(__global const float* x, int xRowDivisor, __global const wtype* w, __global const int* ids,
                 __global float* out, int experts, int inDim, int outDim) {
    __local float partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int lane = get_local_id(0);
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int in4 = inDim & ~3;
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float acc0 = 0.0f;
    float acc1 = 0.0f;
    if (valid && row < outDim) {
        __global const wtype* wr = W_ROW(w, ((size_t) expert * outDim + row) * inDim);
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
        int k = lane * 4;
        // two loads in flight per lane
        for (; k + MOE_GEMV_LANES * 4 < in4; k += MOE_GEMV_LANES * 8) {
            acc0 += dot(LOAD_W4(wr, k), vload4(0, xr + k));
            acc1 += dot(LOAD_W4(wr, k + MOE_GEMV_LANES * 4), vload4(0, xr + k + MOE_GEMV_LANES * 4));
        }
        for (; k < in4; k += MOE_GEMV_LANES * 4) {
            acc0 += dot(LOAD_W4(wr, k), vload4(0, xr + k));
        }
        for (int t = in4 + lane; t < inDim; t += MOE_GEMV_LANES) {
            acc1 = mad(LOAD_W(wr, t), xr[t], acc1);
        }
    }
    const float total = row_sum(acc0 + acc1, partial);
    if (lane == 0 && row < outDim) {
        out[(size_t) pair * outDim + row] = valid ? total : NAN;
    }
}

// Fused gate + up + SiLU: out[p, r] = silu(wGate[e] · x) * (wUp[e] · x), both rows from one read of x.
// x [pairs / xRowDivisor, hidden]; wGate, wUp [experts, inter, hidden]; out [pairs, inter].
__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gate_up_silu(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                         __global const wtype* wUp, __global const int* ids, __global float* out,
                         int experts, int hidden, int inter) {
    __local float partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int lane = get_local_id(0);
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int in4 = hidden & ~3;
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float gate = 0.0f;
    float up = 0.0f;
    if (valid && row < inter) {
        const size_t rowStart = ((size_t) expert * inter + row) * hidden;
        __global const wtype* g = W_ROW(wGate, rowStart);
        __global const wtype* u = W_ROW(wUp, rowStart);
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
        for (int k = lane * 4; k < in4; k += MOE_GEMV_LANES * 4) {
            const float4 xv = vload4(0, xr + k);
            gate += dot(LOAD_W4(g, k), xv);
            up += dot(LOAD_W4(u, k), xv);
        }
        for (int t = in4 + lane; t < hidden; t += MOE_GEMV_LANES) {
            gate = mad(LOAD_W(g, t), xr[t], gate);
            up = mad(LOAD_W(u, t), xr[t], up);
        }
    }
    const float gateSum = row_sum(gate, partial);
    barrier(CLK_LOCAL_MEM_FENCE);
    const float upSum = row_sum(up, partial);
    if (lane == 0 && row < inter) {
        out[(size_t) pair * inter + row] = valid ? silu(gateSum) * upSum : NAN;
    }
}

// CPU variants (no local memory, no barriers): each work-item streams MOE_GEMV_ITEM_ROWS whole rows with 16-wide
// loads (one AVX-512 register) into two independent float16 fma chains. Written for what POCL's compiler does with
// it: plain scalars of vector type stay in registers and fma() becomes one vfmadd (mad() compiled to a separate
// multiply and add, and 4- or 8-wide vectors left half of each register unused): F16 weights 25 -> 53-66 GFLOP/s at the
// Qwen3-30B-A3B gate shape on a 2-core EPYC (docs/benchmarks.md).
// Grid: (ceil(outDim / MOE_GEMV_ITEM_ROWS) rounded up to the local size, pairs); rows past outDim do nothing.

// w row · x row, both inDim long.
inline __attribute__((always_inline)) float row_dot(__global const wtype* wr, __global const float* xr, int inDim) {
#ifdef W_QUANTIZED
    return sum16(q_row_acc(wr, xr, inDim, (float16) (0.0f)));
#else
    const int in32 = inDim & ~31;
    const int in16 = inDim & ~15;
    float16 acc0 = (float16) (0.0f);
    float16 acc1 = (float16) (0.0f);
    int k = 0;
    for (; k < in32; k += 32) {
        float16 w0, w1;
        LOAD_W32(wr, k, w0, w1);
        acc0 = fma(w0, vload16(0, xr + k), acc0);
        acc1 = fma(w1, vload16(1, xr + k), acc1);
    }
    if (k < in16) {
        acc0 = fma(LOAD_W16(wr, k), vload16(0, xr + k), acc0);
    }
    float total = sum16(acc0 + acc1);
    for (k = in16; k < inDim; k++) {
        total = fma(LOAD_W(wr, k), xr[k], total);
    }
    return total;
#endif
}

// Pairs that route to the same expert (batched decode: several sequences choose it) are computed by the first of them,
// the leader, in groups of up to four: each weight row is read once per group instead of once per pair. At decode every
// pair has its own expert and each pair is its own leader. The scans over ids compare 16 ids per instruction, so they
// cost little next to a row of weights.

// Whether no pair before `pair` routes to `expert`.
inline bool leads_expert(__global const int* ids, int pair, int expert) {
    int q = 0;
    for (; q + 16 <= pair; q += 16) {
        if (any(vload16(0, ids + q) == (int16) (expert))) {
            return false;
        }
    }
    for (; q < pair; q++) {
        if (ids[q] == expert) {
            return false;
        }
    }
    return true;
}

// The first pair in [from, pairs) that routes to `expert`; `pairs` when none does.
inline int next_member(__global const int* ids, int from, int pairs, int expert) {
    int q = from;
    for (; q + 16 <= pairs; q += 16) {
        if (any(vload16(0, ids + q) == (int16) (expert))) {
            break;
        }
    }
    for (; q < pairs; q++) {
        if (ids[q] == expert) {
            return q;
        }
    }
    return pairs;
}

// w row · four x rows in one pass over the weights, one fma chain per x row. (Two 16-wide steps per iteration into
// eight chains, and the gate and up rows in one loop, measured 10-20% slower at B=16 than this and two calls.)
inline __attribute__((always_inline)) float4 row_dot4(__global const wtype* wr, __global const float* x0,
        __global const float* x1, __global const float* x2, __global const float* x3, int inDim) {
    const int in16 = inDim & ~15;
    float16 a0 = (float16) (0.0f);
    float16 a1 = a0, a2 = a0, a3 = a0;
#ifdef W_QUANTIZED
    // rows are whole blocks: 32 weights (one header decode) per step
    for (int k = 0; k < inDim; k += 32) {
        float16 lo, hi;
        LOAD_W32(wr, k, lo, hi);
        a0 = fma(hi, vload16(1, x0 + k), fma(lo, vload16(0, x0 + k), a0));
        a1 = fma(hi, vload16(1, x1 + k), fma(lo, vload16(0, x1 + k), a1));
        a2 = fma(hi, vload16(1, x2 + k), fma(lo, vload16(0, x2 + k), a2));
        a3 = fma(hi, vload16(1, x3 + k), fma(lo, vload16(0, x3 + k), a3));
    }
#else
    for (int k = 0; k < in16; k += 16) {
        const float16 wv = LOAD_W16(wr, k);
        a0 = fma(wv, vload16(0, x0 + k), a0);
        a1 = fma(wv, vload16(0, x1 + k), a1);
        a2 = fma(wv, vload16(0, x2 + k), a2);
        a3 = fma(wv, vload16(0, x3 + k), a3);
    }
#endif
    float4 total = (float4) (sum16(a0), sum16(a1), sum16(a2), sum16(a3));
    for (int k = in16; k < inDim; k++) {
        total = fma((float4) (LOAD_W(wr, k)), (float4) (x0[k], x1[k], x2[k], x3[k]), total);
    }
    return total;
}

// The members after p0 in a group of up to four: p1..p3 from q (the member after p0) on, -1 where there are fewer.
// Leaves q at the first member after them (pairs when none).
#define TAKE_MEMBERS(ids, q, pairs, expert, p1, p2, p3)                              \
    int p1 = -1, p2 = -1, p3 = -1;                                                  \
    if (q < pairs) { p1 = q; q = next_member(ids, q + 1, pairs, expert); }          \
    if (q < pairs) { p2 = q; q = next_member(ids, q + 1, pairs, expert); }          \
    if (q < pairs) { p3 = q; q = next_member(ids, q + 1, pairs, expert); }

// x row of pair p, or of pair p0 when p is absent (-1): a stand-in whose products are not stored.
#define X_ROW(x, p, p0, xRowDivisor, inDim) ((x) + (size_t) (((p) < 0 ? (p0) : (p)) / (xRowDivisor)) * (inDim))

// The x rows x0..x3 of a group's pairs p0..p3 (stand-ins for absent ones).
#define GROUP_X_ROWS(x, xRowDivisor, inDim)                                          \
    __global const float* x0 = X_ROW(x, p0, p0, xRowDivisor, inDim);               \
    __global const float* x1 = X_ROW(x, p1, p0, xRowDivisor, inDim);               \
    __global const float* x2 = X_ROW(x, p2, p0, xRowDivisor, inDim);               \
    __global const float* x3 = X_ROW(x, p3, p0, xRowDivisor, inDim);

// The start both CPU kernels share: the pair's expert when this work-item computes rows for its group, else -1.
// Items past the rows (padding of the last work-group) and pairs that are not their expert's leader have nothing to do;
// a pair with an id outside [0, experts) gets NaN rows here instead of reads outside the weights.
inline int group_expert(__global const int* ids, __global float* out, int pair, int experts, int row0, int rowEnd,
                        int outDim) {
    if (row0 >= outDim) {
        return -1;
    }
    const int expert = ids[pair];
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < rowEnd; row++) {
            out[(size_t) pair * outDim + row] = NAN;
        }
        return -1;
    }
    return leads_expert(ids, pair, expert) ? expert : -1;
}

// One row's results of a group: pair p0's always, p1..p3's where present.
inline void store_group_row(__global float* out, int outDim, int row, int p0, int p1, int p2, int p3, float4 v) {
    out[(size_t) p0 * outDim + row] = v.s0;
    if (p1 >= 0) {
        out[(size_t) p1 * outDim + row] = v.s1;
    }
    if (p2 >= 0) {
        out[(size_t) p2 * outDim + row] = v.s2;
    }
    if (p3 >= 0) {
        out[(size_t) p3 * outDim + row] = v.s3;
    }
}

__kernel void expert_gemv_rows(__global const float* x, int xRowDivisor, __global const wtype* w,
                               __global const int* ids, __global float* out, int experts, int inDim, int outDim) {
    const int pair = get_global_id(1);
    const int pairs = get_global_size(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, outDim);
    const int expert = group_expert(ids, out, pair, experts, row0, rowEnd, outDim);
    if (expert < 0) {
        return;
    }
    __global const wtype* we = W_ROW(w, (size_t) expert * outDim * inDim);
    int q = next_member(ids, pair + 1, pairs, expert);
    if (q == pairs) {
        // alone with its expert, as every pair is at decode: the plain loop, as fast as before grouping
        __global const float* xr = X_ROW(x, pair, pair, xRowDivisor, inDim);
        for (int row = row0; row < rowEnd; row++) {
            out[(size_t) pair * outDim + row] = row_dot(W_ROW(we, (size_t) row * inDim), xr, inDim);
        }
        return;
    }
    for (int p0 = pair; p0 < pairs; ) {
        TAKE_MEMBERS(ids, q, pairs, expert, p1, p2, p3)
        GROUP_X_ROWS(x, xRowDivisor, inDim)
        for (int row = row0; row < rowEnd; row++) {
            const float4 d = row_dot4(W_ROW(we, (size_t) row * inDim), x0, x1, x2, x3, inDim);
            store_group_row(out, outDim, row, p0, p1, p2, p3, d);
        }
        p0 = q;
        q = p0 < pairs ? next_member(ids, p0 + 1, pairs, expert) : pairs;
    }
}

// CPU variant of the fused gate + up + SiLU, as expert_gemv_rows: both rows in one pass over x, and pairs that share
// an expert computed together by their leader.
__kernel void expert_gate_up_silu_rows(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                                       __global const wtype* wUp, __global const int* ids, __global float* out,
                                       int experts, int hidden, int inter) {
    const int pair = get_global_id(1);
    const int pairs = get_global_size(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, inter);
    const int in16 = hidden & ~15;
    const int expert = group_expert(ids, out, pair, experts, row0, rowEnd, inter);
    if (expert < 0) {
        return;
    }
    const size_t expertStart = (size_t) expert * inter;
    int q = next_member(ids, pair + 1, pairs, expert);
    if (q == pairs) {
        // alone with its expert, as every pair is at decode
        __global const float* xr = X_ROW(x, pair, pair, xRowDivisor, hidden);
        for (int row = row0; row < rowEnd; row++) {
            __global const wtype* g = W_ROW(wGate, (expertStart + row) * hidden);
            __global const wtype* u = W_ROW(wUp, (expertStart + row) * hidden);
            float16 gateAcc = (float16) (0.0f);
            float16 upAcc = (float16) (0.0f);
#ifdef W_QUANTIZED
            gateAcc = q_row_acc(g, xr, hidden, gateAcc);
            upAcc = q_row_acc(u, xr, hidden, upAcc);
#else
            for (int k = 0; k < in16; k += 16) {
                const float16 xv = vload16(0, xr + k);
                gateAcc = fma(LOAD_W16(g, k), xv, gateAcc);
                upAcc = fma(LOAD_W16(u, k), xv, upAcc);
            }
#endif
            float gate = sum16(gateAcc);
            float up = sum16(upAcc);
            for (int k = in16; k < hidden; k++) {
                gate = fma(LOAD_W(g, k), xr[k], gate);
                up = fma(LOAD_W(u, k), xr[k], up);
            }
            out[(size_t) pair * inter + row] = silu(gate) * up;
        }
        return;
    }
    for (int p0 = pair; p0 < pairs; ) {
        TAKE_MEMBERS(ids, q, pairs, expert, p1, p2, p3)
        GROUP_X_ROWS(x, xRowDivisor, hidden)
        for (int row = row0; row < rowEnd; row++) {
            const float4 gate = row_dot4(W_ROW(wGate, (expertStart + row) * hidden), x0, x1, x2, x3, hidden);
            const float4 up = row_dot4(W_ROW(wUp, (expertStart + row) * hidden), x0, x1, x2, x3, hidden);
            store_group_row(out, inter, row, p0, p1, p2, p3, gate / (1.0f + exp(-gate)) * up);
        }
        p0 = q;
        q = p0 < pairs ? next_member(ids, p0 + 1, pairs, expert) : pairs;
    }
}

#ifdef W_QUANTIZED
// ---------------------------------------------------------------- Q8 activations
// The same products with x in Q8_0 blocks (xq [pairs / xRowDivisor, inDim / 32 blocks]) and integer dot products per
// 32 weights (q8_dot32, common.cl). Every pair computes its own rows (no grouping by expert).

// Q8_0 x row of pair p.
#define XQ_ROW(xq, p, xRowDivisor, inDim) ((xq) + (size_t) ((p) / (xRowDivisor)) * ((inDim) >> 5) * Q8_BLOCK_BYTES)

// Lanes-per-row variant (GPU): lane j takes the 32-blocks j, j + MOE_GEMV_LANES, ... of the row.
inline float q8_lane_dot(__global const uchar* wr, __global const uchar* xr, int inDim) {
    float acc = 0.0f;
    for (int k = get_local_id(0) * 32; k < inDim; k += MOE_GEMV_LANES * 32) {
        acc += q8_dot32(W_BLOCK_AT(wr, k), k % W_BLOCK, xr + (k >> 5) * Q8_BLOCK_BYTES);
    }
    return acc;
}

__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gemv_q8(__global const uchar* xq, int xRowDivisor, __global const wtype* w, __global const int* ids,
                    __global float* out, int experts, int inDim, int outDim) {
    __local float partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float acc = 0.0f;
    if (valid && row < outDim) {
        acc = q8_lane_dot(W_ROW(w, ((size_t) expert * outDim + row) * inDim), XQ_ROW(xq, pair, xRowDivisor, inDim),
                          inDim);
    }
    const float total = row_sum(acc, partial);
    if (get_local_id(0) == 0 && row < outDim) {
        out[(size_t) pair * outDim + row] = valid ? total : NAN;
    }
}

__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gate_up_silu_q8(__global const uchar* xq, int xRowDivisor, __global const wtype* wGate,
                            __global const wtype* wUp, __global const int* ids, __global float* out,
                            int experts, int hidden, int inter) {
    __local float partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float gate = 0.0f;
    float up = 0.0f;
    if (valid && row < inter) {
        const size_t rowStart = ((size_t) expert * inter + row) * hidden;
        __global const uchar* xr = XQ_ROW(xq, pair, xRowDivisor, hidden);
        gate = q8_lane_dot(W_ROW(wGate, rowStart), xr, hidden);
        up = q8_lane_dot(W_ROW(wUp, rowStart), xr, hidden);
    }
    const float gateSum = row_sum(gate, partial);
    barrier(CLK_LOCAL_MEM_FENCE);
    const float upSum = row_sum(up, partial);
    if (get_local_id(0) == 0 && row < inter) {
        out[(size_t) pair * inter + row] = valid ? silu(gateSum) * upSum : NAN;
    }
}

// Whole rows per work-item (CPU), grid and padding as expert_gemv_rows; rows in chunks of Q8_CHUNK (common.cl).
__kernel void expert_gemv_rows_q8(__global const uchar* xq, int xRowDivisor, __global const wtype* w,
                                  __global const int* ids, __global float* out, int experts, int inDim, int outDim) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, outDim);
    const int expert = row0 < outDim ? ids[pair] : -1;
    __global float* o = out + (size_t) pair * outDim;
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < rowEnd; row++) {
            o[row] = NAN;
        }
        return;
    }
    __global const uchar* xr = XQ_ROW(xq, pair, xRowDivisor, inDim);
    __global const wtype* we = W_ROW(w, (size_t) expert * outDim * inDim);
    float dx[Q8_X_SCALES];
    for (int k0 = 0; k0 < inDim; k0 += Q8_CHUNK) {
        const int k1 = min(k0 + Q8_CHUNK, inDim);
        q8_x_scales(xr, k0, k1, dx);
        for (int row = row0; row < rowEnd; row++) {
            const float d = q8_row_dot(W_ROW(we, (size_t) row * inDim), xr, k0, k1, dx);
            o[row] = k0 == 0 ? d : o[row] + d;
        }
    }
}

// The fused gate + up + SiLU as expert_gemv_rows_q8, both rows against one conversion of the x scales: over the
// chunks of a long row the gate sums build up in out and the up sums in a private array, then SiLU.
__kernel void expert_gate_up_silu_rows_q8(__global const uchar* xq, int xRowDivisor, __global const wtype* wGate,
                                          __global const wtype* wUp, __global const int* ids, __global float* out,
                                          int experts, int hidden, int inter) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, inter);
    const int expert = row0 < inter ? ids[pair] : -1;
    __global float* o = out + (size_t) pair * inter;
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < rowEnd; row++) {
            o[row] = NAN;
        }
        return;
    }
    __global const uchar* xr = XQ_ROW(xq, pair, xRowDivisor, hidden);
    const size_t expertStart = (size_t) expert * inter;
    float dx[Q8_X_SCALES];
    float up[MOE_GEMV_ITEM_ROWS];
    for (int k0 = 0; k0 < hidden; k0 += Q8_CHUNK) {
        const int k1 = min(k0 + Q8_CHUNK, hidden);
        q8_x_scales(xr, k0, k1, dx);
        for (int row = row0; row < rowEnd; row++) {
            const float g = q8_row_dot(W_ROW(wGate, (expertStart + row) * hidden), xr, k0, k1, dx);
            const float u = q8_row_dot(W_ROW(wUp, (expertStart + row) * hidden), xr, k0, k1, dx);
            o[row] = k0 == 0 ? g : o[row] + g;
            up[row - row0] = k0 == 0 ? u : up[row - row0] + u;
        }
    }
    for (int row = row0; row < rowEnd; row++) {
        o[row] = silu(o[row]) * up[row - row0];
    }
}
#endif
