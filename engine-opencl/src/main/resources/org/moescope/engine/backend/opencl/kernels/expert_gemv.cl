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

// CPU variants (no local memory, no barriers): each work-item streams MOE_GEMV_ITEM_ROWS whole rows with 16-wide
// loads (one AVX-512 register) into two independent float16 fma chains. Written for what POCL's compiler does with
// it: plain scalars of vector type stay in registers and fma() becomes one vfmadd (mad() compiled to a separate
// multiply and add, and 4- or 8-wide vectors left half of each register unused): F16 weights 25 -> 53-66 GFLOP/s at the
// Qwen3-30B-A3B gate shape on a 2-core EPYC (docs/benchmarks.md).
// Grid: (ceil(outDim / MOE_GEMV_ITEM_ROWS) rounded up to the local size, pairs); rows past outDim do nothing.

inline float sum16(float16 v) {
    const float8 a = v.lo + v.hi;
    const float4 b = a.lo + a.hi;
    return (b.s0 + b.s1) + (b.s2 + b.s3);
}

// w row · x row, both inDim long.
inline __attribute__((always_inline)) float row_dot(__global const wtype* wr, __global const float* xr, int inDim) {
    const int in32 = inDim & ~31;
    const int in16 = inDim & ~15;
    float16 acc0 = (float16) (0.0f);
    float16 acc1 = (float16) (0.0f);
    int k = 0;
    for (; k < in32; k += 32) {
        acc0 = fma(LOAD_W16(wr + k, 0), vload16(0, xr + k), acc0);
        acc1 = fma(LOAD_W16(wr + k, 1), vload16(1, xr + k), acc1);
    }
    if (k < in16) {
        acc0 = fma(LOAD_W16(wr + k, 0), vload16(0, xr + k), acc0);
    }
    float total = sum16(acc0 + acc1);
    for (k = in16; k < inDim; k++) {
        total = fma(LOAD_W(wr, k), xr[k], total);
    }
    return total;
}

__kernel void expert_gemv_rows(__global const float* x, int xRowDivisor, __global const wtype* w,
                               __global const int* ids, __global float* out, int experts, int inDim, int outDim) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, outDim);
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
    const int expert = ids[pair];
    const bool valid = (uint) expert < (uint) experts;
    const size_t expertStart = (size_t) (valid ? expert : 0) * outDim;
    for (int row = row0; row < rowEnd; row++) {
        out[(size_t) pair * outDim + row] = valid ? row_dot(w + (expertStart + row) * inDim, xr, inDim) : NAN;
    }
}

// CPU variant of the fused gate + up + SiLU, as expert_gemv_rows: both rows in one pass over x.
__kernel void expert_gate_up_silu_rows(__global const float* x, int xRowDivisor, __global const wtype* wGate,
                                       __global const wtype* wUp, __global const int* ids, __global float* out,
                                       int experts, int hidden, int inter) {
    const int pair = get_global_id(1);
    const int row0 = get_global_id(0) * MOE_GEMV_ITEM_ROWS;
    const int rowEnd = min(row0 + MOE_GEMV_ITEM_ROWS, inter);
    const int in16 = hidden & ~15;
    __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
    const int expert = ids[pair];
    if ((uint) expert >= (uint) experts) {
        for (int row = row0; row < rowEnd; row++) {
            out[(size_t) pair * inter + row] = NAN;
        }
        return;
    }
    const size_t expertStart = (size_t) expert * inter;
    for (int row = row0; row < rowEnd; row++) {
        __global const wtype* g = wGate + (expertStart + row) * hidden;
        __global const wtype* u = wUp + (expertStart + row) * hidden;
        float16 gateAcc = (float16) (0.0f);
        float16 upAcc = (float16) (0.0f);
        for (int k = 0; k < in16; k += 16) {
            const float16 xv = vload16(0, xr + k);
            gateAcc = fma(LOAD_W16(g + k, 0), xv, gateAcc);
            upAcc = fma(LOAD_W16(u + k, 0), xv, upAcc);
        }
        float gate = sum16(gateAcc);
        float up = sum16(upAcc);
        for (int k = in16; k < hidden; k++) {
            gate = fma(LOAD_W(g, k), xr[k], gate);
            up = fma(LOAD_W(u, k), xr[k], up);
        }
        out[(size_t) pair * inter + row] = silu(gate) * up;
    }
}
