// Tiled GEMM y[t, o] = sum_i x[t, i] * w[o, i]: x [T, in] F32, w [out, in] wtype, y [T, out] F32.
// A work-group of (RTS, RTS) items, RTS = GEMM_TILE / GEMM_WPT, computes a GEMM_TILE x GEMM_TILE tile of y
// (tokens x outputs); each item GEMM_WPT x GEMM_WPT outputs strided by RTS. x and w tiles of depth GEMM_TILE_K
// are staged in local memory, transposed to [k][row] so the inner loop reads them without bank conflicts.
// Global (ceil(out / GEMM_TILE) * RTS, ceil(T / GEMM_TILE) * RTS).
#define RTS (GEMM_TILE / GEMM_WPT)
#define TS GEMM_TILE
#define TK GEMM_TILE_K

__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void gemm(__global const float *x, __global const wtype *w, __global float *y, int tokens, int in, int out) {
    __local float xs[TK][TS + 1];
    __local float ws[TK][TS + 1];
    int tx = get_local_id(0);
    int ty = get_local_id(1);
    int lid = ty * RTS + tx;
    int col0 = get_group_id(0) * TS;
    int row0 = get_group_id(1) * TS;
    float acc[GEMM_WPT][GEMM_WPT];
    for (int a = 0; a < GEMM_WPT; a++) {
        for (int b = 0; b < GEMM_WPT; b++) {
            acc[a][b] = 0.0f;
        }
    }
    for (int k0 = 0; k0 < in; k0 += TK) {
        // Cooperative loads: element e of the tile is (row e / TK, k e % TK), so neighbours read neighbouring k.
        for (int e = lid; e < TS * TK; e += RTS * RTS) {
            int r = e / TK;
            int k = e % TK;
            int gk = k0 + k;
            int xr = row0 + r;
            int wr = col0 + r;
            xs[k][r] = (xr < tokens && gk < in) ? x[(size_t)xr * in + gk] : 0.0f;
            ws[k][r] = (wr < out && gk < in) ? LOAD_W(W_ROW(w, (size_t)wr * in), gk) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TK; k++) {
            float xv[GEMM_WPT];
            float wv[GEMM_WPT];
            for (int a = 0; a < GEMM_WPT; a++) {
                xv[a] = xs[k][ty + a * RTS];
                wv[a] = ws[k][tx + a * RTS];
            }
            for (int a = 0; a < GEMM_WPT; a++) {
                for (int b = 0; b < GEMM_WPT; b++) {
                    acc[a][b] = fma(xv[a], wv[b], acc[a][b]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int a = 0; a < GEMM_WPT; a++) {
        int r = row0 + ty + a * RTS;
        if (r >= tokens) {
            continue;
        }
        for (int b = 0; b < GEMM_WPT; b++) {
            int c = col0 + tx + b * RTS;
            if (c < out) {
                y[(size_t)r * out + c] = acc[a][b];
            }
        }
    }
}
