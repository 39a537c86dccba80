// Grouped GEMM of the MoE prefill (moe_forward.rs gemm_gate / gemm_up / gemm_down): for each expert e and each
// pair p of e (sortedPairs[offsets[e] .. offsets[e+1])), out[p, :] = w[e] · x[p / xRowDivisor, :].
// x [pairs / xRowDivisor, inDim] F32; w [experts, outDim, inDim] (wtype); out [pairs, outDim] F32.
//
// One work-group computes a tile of MOE_TILE_M pairs of one expert x MOE_TILE_N output columns, stepping through inDim
// MOE_TILE_K at a time: the x rows (gathered through sortedPairs) and the weight rows are staged transposed in local
// memory, and each work-item accumulates MOE_REG_M x MOE_REG_N outputs in registers (rows ty + j*THREADS_M, columns
// tx + i*THREADS_N, so that neighbouring work-items read neighbouring local words and write neighbouring columns).
// Build options: MOE_TILE_M, MOE_TILE_N, MOE_TILE_K (multiple of 4), MOE_REG_M, MOE_REG_N and the weight type (common.cl).
// Grid: dim 0 = column tiles x THREADS_N, dim 1 = row tiles x THREADS_M.

#define THREADS_N (MOE_TILE_N / MOE_REG_N)
#define THREADS_M (MOE_TILE_M / MOE_REG_M)
#define WG_SIZE (THREADS_N * THREADS_M)
#define QUADS_K (MOE_TILE_K / 4)
#define A_STRIDE (MOE_TILE_M + 1)
#define B_STRIDE (MOE_TILE_N + 1)

// Four consecutive elements of a row of length n starting at k, zero past the end.
inline float4 load_x4(__global const float* row, int k, int n) {
    if (k + 4 <= n) {
        return vload4(0, row + k);
    }
    float4 v = (float4) (0.0f);
    if (k < n) v.s0 = row[k];
    if (k + 1 < n) v.s1 = row[k + 1];
    if (k + 2 < n) v.s2 = row[k + 2];
    return v;
}

inline float4 load_w4(__global const wtype* row, int k, int n) {
    if (k + 4 <= n) {
        return LOAD_W4(row + k, 0);
    }
    float4 v = (float4) (0.0f);
    if (k < n) v.s0 = LOAD_W(row, k);
    if (k + 1 < n) v.s1 = LOAD_W(row, k + 1);
    if (k + 2 < n) v.s2 = LOAD_W(row, k + 2);
    return v;
}

inline void gemm_tile(__global const float* x, int xRowDivisor, __global const wtype* w, __global float* out,
                      __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                      int expert, int firstRow, int inDim, int outDim,
                      __local float* tileX, __local float* tileW, __local int* pairOf) {
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int lid = ty * THREADS_N + tx;
    const int rows = min(MOE_TILE_M, counts[expert] - firstRow);
    const int segment = offsets[expert] + firstRow;
    for (int r = lid; r < MOE_TILE_M; r += WG_SIZE) {
        pairOf[r] = r < rows ? sortedPairs[segment + r] : -1;
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    const int col0 = get_group_id(0) * MOE_TILE_N;
    __global const wtype* we = w + (size_t) expert * outDim * inDim;
    float acc[MOE_REG_M][MOE_REG_N];
    for (int j = 0; j < MOE_REG_M; j++) {
        for (int i = 0; i < MOE_REG_N; i++) {
            acc[j][i] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < inDim; k0 += MOE_TILE_K) {
        for (int q = lid; q < MOE_TILE_M * QUADS_K; q += WG_SIZE) {
            const int m = q / QUADS_K;
            const int kq = (q % QUADS_K) * 4;
            const int pair = pairOf[m];
            float4 v = pair >= 0 ? load_x4(x + (size_t) (pair / xRowDivisor) * inDim, k0 + kq, inDim) : (float4) (0.0f);
            tileX[(kq + 0) * A_STRIDE + m] = v.s0;
            tileX[(kq + 1) * A_STRIDE + m] = v.s1;
            tileX[(kq + 2) * A_STRIDE + m] = v.s2;
            tileX[(kq + 3) * A_STRIDE + m] = v.s3;
        }
        for (int q = lid; q < MOE_TILE_N * QUADS_K; q += WG_SIZE) {
            const int n = q / QUADS_K;
            const int kq = (q % QUADS_K) * 4;
            const int col = col0 + n;
            float4 v = col < outDim ? load_w4(we + (size_t) col * inDim, k0 + kq, inDim) : (float4) (0.0f);
            tileW[(kq + 0) * B_STRIDE + n] = v.s0;
            tileW[(kq + 1) * B_STRIDE + n] = v.s1;
            tileW[(kq + 2) * B_STRIDE + n] = v.s2;
            tileW[(kq + 3) * B_STRIDE + n] = v.s3;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < MOE_TILE_K; kk++) {
            float a[MOE_REG_M];
            float b[MOE_REG_N];
            for (int j = 0; j < MOE_REG_M; j++) {
                a[j] = tileX[kk * A_STRIDE + ty + j * THREADS_M];
            }
            for (int i = 0; i < MOE_REG_N; i++) {
                b[i] = tileW[kk * B_STRIDE + tx + i * THREADS_N];
            }
            for (int j = 0; j < MOE_REG_M; j++) {
                for (int i = 0; i < MOE_REG_N; i++) {
                    acc[j][i] = mad(a[j], b[i], acc[j][i]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    for (int j = 0; j < MOE_REG_M; j++) {
        const int pair = pairOf[ty + j * THREADS_M];
        if (pair >= 0) {
            __global float* o = out + (size_t) pair * outDim;
            for (int i = 0; i < MOE_REG_N; i++) {
                const int col = col0 + tx + i * THREADS_N;
                if (col < outDim) {
                    o[col] = acc[j][i];
                }
            }
        }
    }
}

// Indirect dispatch: row tile g takes (expert, firstRow) from workList; tiles past workList[0] exit.
__kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))
void grouped_gemm_indirect(__global const float* x, int xRowDivisor, __global const wtype* w, __global float* out,
                           __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                           __global const int* workList, int inDim, int outDim) {
    __local float tileX[MOE_TILE_K * A_STRIDE];
    __local float tileW[MOE_TILE_K * B_STRIDE];
    __local int pairOf[MOE_TILE_M];
    const int tile = get_group_id(1);
    if (tile >= workList[0]) {
        return;
    }
    gemm_tile(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList[1 + 2 * tile], workList[2 + 2 * tile],
              inDim, outDim, tileX, tileW, pairOf);
}

// Direct dispatch: every expert gets tilesPerExpert row tiles; tiles past the expert's count exit.
__kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))
void grouped_gemm_direct(__global const float* x, int xRowDivisor, __global const wtype* w, __global float* out,
                         __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                         int tilesPerExpert, int inDim, int outDim) {
    __local float tileX[MOE_TILE_K * A_STRIDE];
    __local float tileW[MOE_TILE_K * B_STRIDE];
    __local int pairOf[MOE_TILE_M];
    const int expert = get_group_id(1) / tilesPerExpert;
    const int firstRow = (get_group_id(1) % tilesPerExpert) * MOE_TILE_M;
    if (firstRow >= counts[expert]) {
        return;
    }
    gemm_tile(x, xRowDivisor, w, out, counts, offsets, sortedPairs, expert, firstRow, inDim, outDim,
              tileX, tileW, pairOf);
}

// ---------------------------------------------------------------- CPU variant
// Barrier-free tiles for CPU devices (POCL runs barriers as loop fission and local memory as plain memory, so the
// staged kernel above only adds copies there). Each work-item takes one row tile (up to MOE_TILE_M pairs of one
// expert) x MOE_TILE_N output columns and computes 4 pairs (then single pairs) x 2 columns at a time with 8-wide
// vectors: the x rows stay in L1 while the MOE_TILE_N weight rows of the tile are streamed from L2.
// Grid: (ceil(outDim / MOE_TILE_N), row tiles), local size (1, 1).

#if defined(W_F16)
#define LOAD_W8(p) vload_half8(0, (p))
#elif defined(W_BF16)
#define LOAD_W8(p) as_float8(convert_uint8(vload8(0, (p))) << 16)
#else
#define LOAD_W8(p) vload8(0, (p))
#endif

inline float sum8(float8 v) {
    const float4 s = v.lo + v.hi;
    return (s.x + s.y) + (s.z + s.w);
}

// Pairs m0 .. m0+np-1 of the tile (np <= 4, a constant after inlining) x the work-item's columns, 2 at a time.
inline void gemm_rows_block(__global const float* x, int xRowDivisor, __global const wtype* we, __global float* out,
                            __global const int* tilePairs, int m0, const int np, int col0, int cols, int inDim,
                            int outDim) {
    const int in8 = inDim & ~7;
    int pair[4];
    __global const float* xr[4];
    for (int j = 0; j < np; j++) {
        pair[j] = tilePairs[m0 + j];
        xr[j] = x + (size_t) (pair[j] / xRowDivisor) * inDim;
    }
    for (int c = 0; c < cols; c += 2) {
        const int n[2] = {col0 + c, col0 + min(c + 1, cols - 1)};   // an odd last column is computed twice
        __global const wtype* wr[2] = {we + (size_t) n[0] * inDim, we + (size_t) n[1] * inDim};
        float8 acc[4][2];
        for (int j = 0; j < np; j++) {
            acc[j][0] = (float8) (0.0f);
            acc[j][1] = (float8) (0.0f);
        }
        for (int k = 0; k < in8; k += 8) {
            const float8 w0 = LOAD_W8(wr[0] + k);
            const float8 w1 = LOAD_W8(wr[1] + k);
            for (int j = 0; j < np; j++) {
                const float8 xv = vload8(0, xr[j] + k);
                acc[j][0] = mad(w0, xv, acc[j][0]);
                acc[j][1] = mad(w1, xv, acc[j][1]);
            }
        }
        for (int j = 0; j < np; j++) {
            for (int i = 0; i < 2; i++) {
                float s = sum8(acc[j][i]);
                for (int k = in8; k < inDim; k++) {
                    s = mad(LOAD_W(wr[i], k), xr[j][k], s);
                }
                out[(size_t) pair[j] * outDim + n[i]] = s;
            }
        }
    }
}

inline void gemm_rows_tile(__global const float* x, int xRowDivisor, __global const wtype* w, __global float* out,
                           __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                           int expert, int firstRow, int inDim, int outDim) {
    const int rows = min(MOE_TILE_M, counts[expert] - firstRow);
    __global const int* tilePairs = sortedPairs + offsets[expert] + firstRow;
    const int col0 = get_global_id(0) * MOE_TILE_N;
    const int cols = min(MOE_TILE_N, outDim - col0);
    __global const wtype* we = w + (size_t) expert * outDim * inDim;
    int m0 = 0;
    for (; m0 + 4 <= rows; m0 += 4) {
        gemm_rows_block(x, xRowDivisor, we, out, tilePairs, m0, 4, col0, cols, inDim, outDim);
    }
    // The 1 to 3 remaining pairs share one pass over the weight rows (at n=32 most experts get only 1 to 3 pairs).
    switch (rows - m0) {
        case 3: gemm_rows_block(x, xRowDivisor, we, out, tilePairs, m0, 3, col0, cols, inDim, outDim); break;
        case 2: gemm_rows_block(x, xRowDivisor, we, out, tilePairs, m0, 2, col0, cols, inDim, outDim); break;
        case 1: gemm_rows_block(x, xRowDivisor, we, out, tilePairs, m0, 1, col0, cols, inDim, outDim); break;
        default: break;
    }
}

__kernel void grouped_gemm_rows_indirect(__global const float* x, int xRowDivisor, __global const wtype* w,
                                         __global float* out, __global const int* counts,
                                         __global const int* offsets, __global const int* sortedPairs,
                                         __global const int* workList, int inDim, int outDim) {
    const int tile = get_global_id(1);
    if (tile >= workList[0]) {
        return;
    }
    gemm_rows_tile(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList[1 + 2 * tile],
                   workList[2 + 2 * tile], inDim, outDim);
}

__kernel void grouped_gemm_rows_direct(__global const float* x, int xRowDivisor, __global const wtype* w,
                                       __global float* out, __global const int* counts, __global const int* offsets,
                                       __global const int* sortedPairs, int tilesPerExpert, int inDim, int outDim) {
    const int expert = get_global_id(1) / tilesPerExpert;
    const int firstRow = (get_global_id(1) % tilesPerExpert) * MOE_TILE_M;
    if (firstRow >= counts[expert]) {
        return;
    }
    gemm_rows_tile(x, xRowDivisor, w, out, counts, offsets, sortedPairs, expert, firstRow, inDim, outDim);
}
