// Pair-indexed expert GEMVs of the MoE decode and batched decode (moe_forward.rs gemv_* and the fused
// gate_up_silu): for pair p, out[p, :] = w[ids[p]] · x[p / xRowDivisor, :]. Memory bound: each weight row is
// streamed once by GEMV_LANES work-items with 4-wide loads (neighbouring lanes read neighbouring 16-byte pieces),
// GEMV_ROWS rows per work-group, and the lane partial sums are added in local memory.
// Build options: GEMV_LANES (power of two), GEMV_ROWS, the weight type (moe_weights.cl).
// Grid: (GEMV_LANES, GEMV_ROWS * ceil(outDim / GEMV_ROWS), pairs); local (GEMV_LANES, GEMV_ROWS, 1).

// Adds the GEMV_LANES partial sums of this work-item's row; the total is valid in lane 0.
inline float row_sum(float v, __local float* partial) {
    const int lane = get_local_id(0);
    __local float* mine = partial + get_local_id(1) * GEMV_LANES;
    mine[lane] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = GEMV_LANES / 2; s > 0; s >>= 1) {
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

__kernel __attribute__((reqd_work_group_size(GEMV_LANES, GEMV_ROWS, 1)))
void expert_gemv(__global const float* x, int xRowDivisor, __global const weight_t* w, __global const int* ids,
                 __global float* out, int inDim, int outDim) {
    __local float partial[GEMV_ROWS * GEMV_LANES];
    const int lane = get_local_id(0);
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int in4 = inDim & ~3;
    float acc0 = 0.0f;
    float acc1 = 0.0f;
    if (row < outDim) {
        __global const weight_t* wr = w + ((size_t) ids[pair] * outDim + row) * inDim;
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * inDim;
        int k = lane * 4;
        // two loads in flight per lane
        for (; k + GEMV_LANES * 4 < in4; k += GEMV_LANES * 8) {
            acc0 += dot(LOAD_W4(wr, k), vload4(0, xr + k));
            acc1 += dot(LOAD_W4(wr, k + GEMV_LANES * 4), vload4(0, xr + k + GEMV_LANES * 4));
        }
        for (; k < in4; k += GEMV_LANES * 4) {
            acc0 += dot(LOAD_W4(wr, k), vload4(0, xr + k));
        }
        for (int t = in4 + lane; t < inDim; t += GEMV_LANES) {
            acc1 = mad(LOAD_W(wr, t), xr[t], acc1);
        }
    }
    const float total = row_sum(acc0 + acc1, partial);
    if (lane == 0 && row < outDim) {
        out[(size_t) pair * outDim + row] = total;
    }
}

// Fused gate + up + SiLU: out[p, r] = silu(wGate[e] · x) * (wUp[e] · x), both rows from one read of x.
// x [pairs / xRowDivisor, hidden]; wGate, wUp [experts, inter, hidden]; out [pairs, inter].
__kernel __attribute__((reqd_work_group_size(GEMV_LANES, GEMV_ROWS, 1)))
void expert_gate_up_silu(__global const float* x, int xRowDivisor, __global const weight_t* wGate,
                         __global const weight_t* wUp, __global const int* ids, __global float* out,
                         int hidden, int inter) {
    __local float partial[GEMV_ROWS * GEMV_LANES];
    const int lane = get_local_id(0);
    const int row = get_global_id(1);
    const int pair = get_global_id(2);
    const int in4 = hidden & ~3;
    float gate = 0.0f;
    float up = 0.0f;
    if (row < inter) {
        const size_t rowStart = ((size_t) ids[pair] * inter + row) * hidden;
        __global const weight_t* g = wGate + rowStart;
        __global const weight_t* u = wUp + rowStart;
        __global const float* xr = x + (size_t) (pair / xRowDivisor) * hidden;
        for (int k = lane * 4; k < in4; k += GEMV_LANES * 4) {
            const float4 xv = vload4(0, xr + k);
            gate += dot(LOAD_W4(g, k), xv);
            up += dot(LOAD_W4(u, k), xv);
        }
        for (int t = in4 + lane; t < hidden; t += GEMV_LANES) {
            gate = mad(LOAD_W(g, t), xr[t], gate);
            up = mad(LOAD_W(u, t), xr[t], up);
        }
    }
    const float gateSum = row_sum(gate, partial);
    barrier(CLK_LOCAL_MEM_FENCE);
    const float upSum = row_sum(up, partial);
    if (lane == 0 && row < inter) {
        out[(size_t) pair * inter + row] = silu(gateSum) * upSum;
    }
}
