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
        return LOAD_W4(row, k);
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
    __global const wtype* we = W_ROW(w, (size_t) expert * outDim * inDim);
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
            float4 v = col < outDim ? load_w4(W_ROW(we, (size_t) col * inDim), k0 + kq, inDim) : (float4) (0.0f);
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
// expert) x MOE_TILE_N output columns and computes it in blocks of 4 pairs x 4 columns (the last 1 or 2 pairs, and
// tiles of 3 or 4 pairs with short rows, one weight row at a time, below): 16 float16 accumulators, one AVX-512 register each, fed per 16 elements of inDim
// by 4 weight and 4 x loads (2 fma per load). The accumulators are
// named scalars and the products fma() because that is what POCL keeps in registers and fuses: an array of
// accumulators indexed in loops lived on the stack, and mad() compiled to a multiply and an add, which held the
// previous version of this kernel at 25% of the FMA peak (docs/benchmarks.md). A block with fewer pairs or columns
// than its shape repeats the last one (the repeat is computed and not stored).
// Grid: (ceil(outDim / MOE_TILE_N), row tiles), local size (1, 1).

// r[4 * j + i] = x_j · w_i over inDim.
inline __attribute__((always_inline)) void gemm_block_4x4(
        __global const float* x0, __global const float* x1, __global const float* x2, __global const float* x3,
        __global const wtype* w0, __global const wtype* w1, __global const wtype* w2, __global const wtype* w3,
        int inDim, float r[16]) {
    float16 a00 = 0.0f, a01 = 0.0f, a02 = 0.0f, a03 = 0.0f, a10 = 0.0f, a11 = 0.0f, a12 = 0.0f, a13 = 0.0f;
    float16 a20 = 0.0f, a21 = 0.0f, a22 = 0.0f, a23 = 0.0f, a30 = 0.0f, a31 = 0.0f, a32 = 0.0f, a33 = 0.0f;
    const int in16 = inDim & ~15;
#define BLOCK_4X4_STEP(v0, v1, v2, v3, k)                                                           \
    {                                                                                               \
        float16 xv = vload16(0, x0 + (k));                                                          \
        a00 = fma(v0, xv, a00); a01 = fma(v1, xv, a01); a02 = fma(v2, xv, a02); a03 = fma(v3, xv, a03); \
        xv = vload16(0, x1 + (k));                                                                  \
        a10 = fma(v0, xv, a10); a11 = fma(v1, xv, a11); a12 = fma(v2, xv, a12); a13 = fma(v3, xv, a13); \
        xv = vload16(0, x2 + (k));                                                                  \
        a20 = fma(v0, xv, a20); a21 = fma(v1, xv, a21); a22 = fma(v2, xv, a22); a23 = fma(v3, xv, a23); \
        xv = vload16(0, x3 + (k));                                                                  \
        a30 = fma(v0, xv, a30); a31 = fma(v1, xv, a31); a32 = fma(v2, xv, a32); a33 = fma(v3, xv, a33); \
    }
#ifdef W_QUANTIZED
    // rows are whole blocks: 32 weights of each row (one block header decode) per step
    for (int k = 0; k < inDim; k += 32) {
        float16 v0, v1, v2, v3, u0, u1, u2, u3;
        LOAD_W32(w0, k, v0, u0);
        LOAD_W32(w1, k, v1, u1);
        LOAD_W32(w2, k, v2, u2);
        LOAD_W32(w3, k, v3, u3);
        BLOCK_4X4_STEP(v0, v1, v2, v3, k)
        BLOCK_4X4_STEP(u0, u1, u2, u3, k + 16)
    }
#else
    for (int k = 0; k < in16; k += 16) {
        const float16 v0 = LOAD_W16(w0, k);
        const float16 v1 = LOAD_W16(w1, k);
        const float16 v2 = LOAD_W16(w2, k);
        const float16 v3 = LOAD_W16(w3, k);
        BLOCK_4X4_STEP(v0, v1, v2, v3, k)
    }
#endif
    r[0] = sum16(a00); r[1] = sum16(a01); r[2] = sum16(a02); r[3] = sum16(a03);
    r[4] = sum16(a10); r[5] = sum16(a11); r[6] = sum16(a12); r[7] = sum16(a13);
    r[8] = sum16(a20); r[9] = sum16(a21); r[10] = sum16(a22); r[11] = sum16(a23);
    r[12] = sum16(a30); r[13] = sum16(a31); r[14] = sum16(a32); r[15] = sum16(a33);
    for (int k = in16; k < inDim; k++) {   // the inDim % 16 tail
        const float xs[4] = {x0[k], x1[k], x2[k], x3[k]};
        const float ws[4] = {LOAD_W(w0, k), LOAD_W(w1, k), LOAD_W(w2, k), LOAD_W(w3, k)};
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 4; i++) {
                r[4 * j + i] = fma(ws[i], xs[j], r[4 * j + i]);
            }
        }
    }
}

// (x_j · w) over inDim for 4 pairs and one weight row, two fma chains per pair. The last 1 or 2 pairs of a tile (most
// tiles at n=32), and tiles of 3 or 4 pairs with short rows, take the tile's weight rows one after another through
// this, one sequential stream (a missing pair repeats one that is there). Streaming 4 or 8 rows side by side instead
// measured 15-30% slower for 768-long rows (the down projection) and up to 13% slower for 2048-long ones: short
// interleaved streams leave the hardware prefetchers little to work with. These tiles are bound by streaming the
// weights, not by the multiplies.
inline __attribute__((always_inline)) float4 gemm_row_4pairs(__global const float* x0, __global const float* x1,
                                                             __global const float* x2, __global const float* x3,
                                                             __global const wtype* w, int inDim) {
    float16 a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, c0 = 0.0f, c1 = 0.0f, c2 = 0.0f, c3 = 0.0f;
    const int in32 = inDim & ~31;
    int k = 0;
    for (; k < in32; k += 32) {
        float16 v0, v1;
        LOAD_W32(w, k, v0, v1);
        a0 = fma(v0, vload16(0, x0 + k), a0);
        c0 = fma(v1, vload16(1, x0 + k), c0);
        a1 = fma(v0, vload16(0, x1 + k), a1);
        c1 = fma(v1, vload16(1, x1 + k), c1);
        a2 = fma(v0, vload16(0, x2 + k), a2);
        c2 = fma(v1, vload16(1, x2 + k), c2);
        a3 = fma(v0, vload16(0, x3 + k), a3);
        c3 = fma(v1, vload16(1, x3 + k), c3);
    }
    float4 r = (float4) (sum16(a0 + c0), sum16(a1 + c1), sum16(a2 + c2), sum16(a3 + c3));
    for (; k < inDim; k++) {   // the inDim % 32 tail
        const float wk = LOAD_W(w, k);
        r = fma((float4) (wk), (float4) (x0[k], x1[k], x2[k], x3[k]), r);
    }
    return r;
}

inline void gemm_rows_tile(__global const float* x, int xRowDivisor, __global const wtype* w, __global float* out,
                           __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                           int expert, int firstRow, int inDim, int outDim) {
    const int rows = min(MOE_TILE_M, counts[expert] - firstRow);
    __global const int* tilePairs = sortedPairs + offsets[expert] + firstRow;
    const int col0 = get_global_id(0) * MOE_TILE_N;
    const int cols = min(MOE_TILE_N, outDim - col0);
    __global const wtype* we = W_ROW(w, (size_t) expert * outDim * inDim);
    // A small tile with short weight rows (under a 4 KB page: the 768-long rows of down) takes its rows one after
    // another; with longer rows the 4 x 4 blocks below measured as fast or faster (alternated runs, n=32).
    if (rows > 2 && rows <= 4 && W_ROW_BYTES(inDim) < 4096) {
        int pair[4];
        __global const float* xr[4];
        for (int j = 0; j < 4; j++) {
            pair[j] = tilePairs[min(j, rows - 1)];
            xr[j] = x + (size_t) (pair[j] / xRowDivisor) * inDim;
        }
        for (int c = 0; c < cols; c++) {
            const float4 r = gemm_row_4pairs(xr[0], xr[1], xr[2], xr[3], W_ROW(we, (size_t) (col0 + c) * inDim), inDim);
            const float rs[4] = {r.s0, r.s1, r.s2, r.s3};
            for (int j = 0; j < rows; j++) {
                out[(size_t) pair[j] * outDim + col0 + c] = rs[j];
            }
        }
        return;
    }
    int m0 = 0;
    for (; rows - m0 > 2; m0 += 4) {   // blocks of 4 pairs; a last block of 3 repeats its last pair
        int pair[4];
        __global const float* xr[4];
        for (int j = 0; j < 4; j++) {
            pair[j] = tilePairs[min(m0 + j, rows - 1)];
            xr[j] = x + (size_t) (pair[j] / xRowDivisor) * inDim;
        }
        for (int c = 0; c < cols; c += 4) {
            int n[4];
            for (int i = 0; i < 4; i++) {
                n[i] = col0 + min(c + i, cols - 1);
            }
            float r[16];
            gemm_block_4x4(xr[0], xr[1], xr[2], xr[3], W_ROW(we, (size_t) n[0] * inDim), W_ROW(we, (size_t) n[1] * inDim),
                           W_ROW(we, (size_t) n[2] * inDim), W_ROW(we, (size_t) n[3] * inDim), inDim, r);
            for (int j = 0; j < min(4, rows - m0); j++) {
                for (int i = 0; i < min(4, cols - c); i++) {
                    out[(size_t) pair[j] * outDim + n[i]] = r[4 * j + i];
                }
            }
        }
    }
    if (m0 < rows) {   // the last 1 or 2 pairs (1: the pair twice, stored once)
        const int p0 = tilePairs[m0];
        const int p1 = tilePairs[min(m0 + 1, rows - 1)];
        __global const float* x0 = x + (size_t) (p0 / xRowDivisor) * inDim;
        __global const float* x1 = x + (size_t) (p1 / xRowDivisor) * inDim;
        for (int c = 0; c < cols; c++) {
            const float4 r = gemm_row_4pairs(x0, x1, x0, x1, W_ROW(we, (size_t) (col0 + c) * inDim), inDim);
            out[(size_t) p0 * outDim + col0 + c] = r.s0;
            if (m0 + 1 < rows) {
                out[(size_t) p1 * outDim + col0 + c] = r.s1;
            }
        }
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

#ifdef W_QUANTIZED
// ---------------------------------------------------------------- Q8 activations
// The grouped GEMM with x in Q8_0 blocks (xq [pairs / xRowDivisor, inDim / 32 blocks]) and integer dot products per
// 32 weights (q8_dot32, common.cl), for both kernel styles: a work-item per (row tile, MOE_TILE_N columns), each
// output one q8_row_dot. Grid: (ceil(outDim / MOE_TILE_N), row tiles), local size (1, 1).

inline void gemm_q8_tile(__global const uchar* xq, int xRowDivisor, __global const wtype* w, __global float* out,
                         __global const int* counts, __global const int* offsets, __global const int* sortedPairs,
                         int expert, int firstRow, int inDim, int outDim) {
    const int rows = min(MOE_TILE_M, counts[expert] - firstRow);
    __global const int* tilePairs = sortedPairs + offsets[expert] + firstRow;
    const int col0 = get_global_id(0) * MOE_TILE_N;
    const int cols = min(MOE_TILE_N, outDim - col0);
    __global const wtype* we = W_ROW(w, (size_t) expert * outDim * inDim);
    const size_t xRowBytes = (size_t) (inDim >> 5) * Q8_BLOCK_BYTES;
    float dx[Q8_X_SCALES];
    for (int j = 0; j < rows; j++) {
        const int pair = tilePairs[j];
        __global const uchar* xr = xq + (size_t) (pair / xRowDivisor) * xRowBytes;
        __global float* o = out + (size_t) pair * outDim + col0;
        for (int k0 = 0; k0 < inDim; k0 += Q8_CHUNK) {
            const int k1 = min(k0 + Q8_CHUNK, inDim);
            q8_x_scales(xr, k0, k1, dx);
            for (int c = 0; c < cols; c++) {
                const float d = q8_row_dot(W_ROW(we, (size_t) (col0 + c) * inDim), xr, k0, k1, dx);
                o[c] = k0 == 0 ? d : o[c] + d;
            }
        }
    }
}

__kernel void grouped_gemm_q8_indirect(__global const uchar* xq, int xRowDivisor, __global const wtype* w,
                                       __global float* out, __global const int* counts, __global const int* offsets,
                                       __global const int* sortedPairs, __global const int* workList, int inDim,
                                       int outDim) {
    const int tile = get_global_id(1);
    if (tile >= workList[0]) {
        return;
    }
    gemm_q8_tile(xq, xRowDivisor, w, out, counts, offsets, sortedPairs, workList[1 + 2 * tile], workList[2 + 2 * tile],
                 inDim, outDim);
}

__kernel void grouped_gemm_q8_direct(__global const uchar* xq, int xRowDivisor, __global const wtype* w,
                                     __global float* out, __global const int* counts, __global const int* offsets,
                                     __global const int* sortedPairs, int tilesPerExpert, int inDim, int outDim) {
    const int expert = get_global_id(1) / tilesPerExpert;
    const int firstRow = (get_global_id(1) % tilesPerExpert) * MOE_TILE_M;
    if (firstRow >= counts[expert]) {
        return;
    }
    gemm_q8_tile(xq, xRowDivisor, w, out, counts, offsets, sortedPairs, expert, firstRow, inDim, outDim);
}
#endif
