// Pair-indexed expert GEMVs of the MoE decode and batched decode (moe_forward.rs gemv_* and the fused
// gate_up_silu): for pair p, out[p, :] = w[ids[p]] · x[p / xRowDivisor, :]. Memory bound: each weight row is
// streamed once by MOE_GEMV_LANES work-items with 8-element loads (16 bytes per lane for 16-bit weights, neighbouring
// lanes on neighbouring pieces) and two loads in flight per lane; MOE_GEMV_ROWS rows per work-group; the lane
// partial sums are added in local memory.
// An id outside [0, experts) (not produced by routeTopk) yields NaN rows instead of reading outside w.
// Build options: MOE_GEMV_LANES (power of two), MOE_GEMV_ROWS, MOE_GEMV_ITEM_ROWS, the weight type (common.cl).
// Grid: (MOE_GEMV_LANES, MOE_GEMV_ROWS * ceil(outDim / MOE_GEMV_ROWS), pairs); local (MOE_GEMV_LANES, MOE_GEMV_ROWS, 1).

#if defined(W_F16)
#define LOAD_W8(p) vload_half8(0, (p))
#elif defined(W_BF16)
#define LOAD_W8(p) as_float8(convert_uint8(vload8(0, (p))) << 16)
#else
#define LOAD_W8(p) vload8(0, (p))
#endif

#define LANE_STEP (MOE_GEMV_LANES * 8)

inline float sum8(float8 v) {
    const float4 s = v.lo + v.hi;
    return (s.x + s.y) + (s.z + s.w);
}

// Adds the MOE_GEMV_LANES partial sums (two per work-item) of this work-item's row; the totals are valid in lane 0.
inline float2 row_sum2(float2 v, __local float2* partial) {
    const int lane = get_local_id(0);
    __local float2* mine = partial + get_local_id(1) * MOE_GEMV_LANES;
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

// Dot product of one weight row with x, this lane's share: elements lane*8 + j*LANE_STEP .. +7, then the tail.
inline float lane_dot(__global const wtype* wr, __global const float* xr, int n) {
    const int lane = get_local_id(0);
    const int n8 = n & ~7;
    float8 acc0 = (float8) (0.0f);
    float8 acc1 = (float8) (0.0f);
    int k = lane * 8;
    for (; k + LANE_STEP < n8; k += 2 * LANE_STEP) {
        acc0 = mad(LOAD_W8(wr + k), vload8(0, xr + k), acc0);
        acc1 = mad(LOAD_W8(wr + k + LANE_STEP), vload8(0, xr + k + LANE_STEP), acc1);
    }
    if (k < n8) {
        acc0 = mad(LOAD_W8(wr + k), vload8(0, xr + k), acc0);
    }
    float sum = sum8(acc0 + acc1);
    for (int t = n8 + lane; t < n; t += MOE_GEMV_LANES) {
        sum = mad(LOAD_W(wr, t), xr[t], sum);
    }
    return sum;
}

__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gemv(__global const float* x, int xRowDivisor, __global const wtype* w, __global const int* ids,
                 __global float* out, int experts, int inDim, int outDim) {
    __local float2 partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float acc = 0.0f;
    if (valid && row < outDim) {
        acc = lane_dot(w + ((size_t) expert * outDim + row) * inDim, x + (size_t) (pair / xRowDivisor) * inDim, inDim);
    }
    const float total = row_sum2((float2) (acc, 0.0f), partial).x;
    if (get_local_id(0) == 0 && row < outDim) {
        out[(size_t) pair * outDim + row] = valid ? total : NAN;
    }
}

// Fused gate + up + SiLU: out[p, r] = silu(wGate[e] · x) * (wUp[e] · x), both rows in one work-group, x from cache.
// x [pairs / xRowDivisor, hidden]; wGate, wUp [experts, inter, hidden]; out [pairs, inter].
__kernel __attribute__((reqd_work_group_size(MOE_GEMV_LANES, MOE_GEMV_ROWS, 1)))
void expert_gate_up_silu(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                         __global const wtype* wUp, __global const int* ids, __global float* out,
                         int experts, int hidden, int inter) {
    __local float2 partial[MOE_GEMV_ROWS * MOE_GEMV_LANES];
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    float2 acc = (float2) (0.0f);
    if (valid && row < inter) {
        const size_t rowStart = ((size_t) expert * inter + row) * hidden;
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
        acc = (float2) (lane_dot(wGate + rowStart, xr, hidden), lane_dot(wUp + rowStart, xr, hidden));
    }
    const float2 total = row_sum2(acc, partial);
    if (get_local_id(0) == 0 && row < inter) {
        out[(size_t) pair * inter + row] = valid ? silu(total.x) * total.y : NAN;
    }
}

// CPU variants (no local memory, no barriers): each work-item streams MOE_GEMV_ITEM_ROWS whole rows with 8-wide
// vectors. Grid: (ceil(rows / MOE_GEMV_ITEM_ROWS), pairs); any local size.

inline float whole_row_dot(__global const wtype* wr, __global const float* xr, int n) {
    const int n8 = n & ~7;
    float8 acc = (float8) (0.0f);
    for (int k = 0; k < n8; k += 8) {
        acc = mad(LOAD_W8(wr + k), vload8(0, xr + k), acc);
    }
    float sum = sum8(acc);
    for (int k = n8; k < n; k++) {
        sum = mad(LOAD_W(wr, k), xr[k], sum);
    }
    return sum;
}

__kernel void expert_gemv_rows(__global const float* x, int xRowDivisor, __global const wtype* w,
                               __global const int* ids, __global float* out, int experts, int inDim, int outDim) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, outDim);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
    for (int row = row0; row < rowEnd; row++) {
        out[(size_t) pair * outDim + row] = valid
                ? whole_row_dot(w + ((size_t) expert * outDim + row) * inDim, xr, inDim) : NAN;
    }
}

__kernel void expert_gate_up_silu_rows(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                                       __global const wtype* wUp, __global const int* ids, __global float* out,
                                       int experts, int hidden, int inter) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, inter);
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
    for (int row = row0; row < rowEnd; row++) {
        const size_t rowStart = ((size_t) expert * inter + row) * hidden;
        out[(size_t) pair * inter + row] = valid
                ? silu(whole_row_dot(wGate + rowStart, xr, hidden)) * whole_row_dot(wUp + rowStart, xr, hidden) : NAN;
    }
}
