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
        __global const wtype* wr = w + ((size_t) expert * outDim + row) * inDim;
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
        int k = lane * 4;
        // two loads in flight per lane
        for (; k + MOE_GEMV_LANES * 4 < in4; k += MOE_GEMV_LANES * 8) {
            acc0 += dot(LOAD_W4(wr + k, 0), vload4(0, xr + k));
            acc1 += dot(LOAD_W4(wr + k + MOE_GEMV_LANES * 4, 0), vload4(0, xr + k + MOE_GEMV_LANES * 4));
        }
        for (; k < in4; k += MOE_GEMV_LANES * 4) {
            acc0 += dot(LOAD_W4(wr + k, 0), vload4(0, xr + k));
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
        __global const wtype* g = wGate + rowStart;
        __global const wtype* u = wUp + rowStart;
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
        for (int k = lane * 4; k < in4; k += MOE_GEMV_LANES * 4) {
            const float4 xv = vload4(0, xr + k);
            gate += dot(LOAD_W4(g + k, 0), xv);
            up += dot(LOAD_W4(u + k, 0), xv);
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

// CPU variant (no local memory, no barriers): each work-item streams MOE_GEMV_ITEM_ROWS whole rows, 8 elements per
// step into two float4 accumulators. Grid: (ceil(outDim / MOE_GEMV_ITEM_ROWS), pairs); any local size.
__kernel void expert_gemv_rows(__global const float* x, int xRowDivisor, __global const wtype* w,
                               __global const int* ids, __global float* out, int experts, int inDim, int outDim) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int in8 = inDim & ~7;
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
    const int expert = ids[pair];
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < min(row0 + MOE_GEMV_ITEM_ROWS, outDim); row++) {
            out[(size_t) pair * outDim + row] = NAN;
        }
        return;
    }
    const size_t expertStart = (size_t) expert * outDim;
    for (int row = row0; row < min(row0 + MOE_GEMV_ITEM_ROWS, outDim); row++) {
        __global const wtype* wr = w + (expertStart + row) * inDim;
        float4 acc0 = (float4) (0.0f);
        float4 acc1 = (float4) (0.0f);
        for (int k = 0; k < in8; k += 8) {
            acc0 = mad(LOAD_W4(wr + k, 0), vload4(0, xr + k), acc0);
            acc1 = mad(LOAD_W4(wr + k, 1), vload4(1, xr + k), acc1);
        }
        const float4 acc = acc0 + acc1;
        float total = (acc.s0 + acc.s1) + (acc.s2 + acc.s3);
        for (int k = in8; k < inDim; k++) {
            total = mad(LOAD_W(wr, k), xr[k], total);
        }
        out[(size_t) pair * outDim + row] = total;
    }
}

// CPU variant of the fused gate + up + SiLU, as expert_gemv_rows. Grid: (ceil(inter / MOE_GEMV_ITEM_ROWS), pairs).
__kernel void expert_gate_up_silu_rows(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                                       __global const wtype* wUp, __global const int* ids, __global float* out,
                                       int experts, int hidden, int inter) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int in8 = hidden & ~7;
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
    const int expert = ids[pair];
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < min(row0 + MOE_GEMV_ITEM_ROWS, inter); row++) {
            out[(size_t) pair * inter + row] = NAN;
        }
        return;
    }
    const size_t expertStart = (size_t) expert * inter;
    for (int row = row0; row < min(row0 + MOE_GEMV_ITEM_ROWS, inter); row++) {
        __global const wtype* g = wGate + (expertStart + row) * hidden;
        __global const wtype* u = wUp + (expertStart + row) * hidden;
        float4 gate0 = (float4) (0.0f);
        float4 gate1 = (float4) (0.0f);
        float4 up0 = (float4) (0.0f);
        float4 up1 = (float4) (0.0f);
        for (int k = 0; k < in8; k += 8) {
            const float4 x0 = vload4(0, xr + k);
            const float4 x1 = vload4(1, xr + k);
            gate0 = mad(LOAD_W4(g + k, 0), x0, gate0);
            gate1 = mad(LOAD_W4(g + k, 1), x1, gate1);
            up0 = mad(LOAD_W4(u + k, 0), x0, up0);
            up1 = mad(LOAD_W4(u + k, 1), x1, up1);
        }
        const float4 gs = gate0 + gate1;
        const float4 us = up0 + up1;
        float gate = (gs.s0 + gs.s1) + (gs.s2 + gs.s3);
        float up = (us.s0 + us.s1) + (us.s2 + us.s3);
        for (int k = in8; k < hidden; k++) {
            gate = mad(LOAD_W(g, k), xr[k], gate);
            up = mad(LOAD_W(u, k), xr[k], up);
        }
        out[(size_t) pair * inter + row] = silu(gate) * up;
    }
}
