// CPU matmul: y[t, o] = sum_i x[t, i] * w[o, i], one work-item per (output row o, tile of GEMV_T tokens).
// On CPU devices a work-item is a loop iteration, so each weight row is streamed contiguously with 16-wide vector
// loads (one AVX-512 register) and used for GEMV_T tokens at once, with no local memory or barriers. A work-group
// holds consecutive rows of one token tile, so the x tile stays in cache while the rows stream past.
// x [tokens, in] F32, w [out, in] wtype, y [tokens, out] F32. Global (out, ceil(tokens / GEMV_T)), local (n, 1).

// Row o of w for tokens t0 .. t0 + GEMV_T - 1 (those below `tokens`) into y.
inline void gemv_rows_row(__global const float *x, __global const wtype *w, __global float *y, int in, int out,
                          int tokens, int o, int t0) {
    __global const wtype *wr = W_ROW(w, (size_t)o * in);
    // Rows past the last token read the last token's row (in bounds) and are not stored.
    __global const float *xr[GEMV_T];
    float16 acc[GEMV_T];
    #pragma unroll
    for (int t = 0; t < GEMV_T; t++) {
        xr[t] = x + (size_t)min(t0 + t, tokens - 1) * in;
        acc[t] = (float16)(0.0f);
    }
    int in16 = in / 16;
#ifdef W_QUANTIZED
    // rows are whole blocks: 32 weights (one header decode) per step
    for (int k = 0; k < in; k += 32) {
        float16 lo, hi;
        LOAD_W32(wr, k, lo, hi);
        #pragma unroll
        for (int t = 0; t < GEMV_T; t++) {
            acc[t] = fma(hi, vload16(1, xr[t] + k), fma(lo, vload16(0, xr[t] + k), acc[t]));
        }
    }
#else
    for (int j = 0; j < in16; j++) {
        float16 wv = LOAD_W16(wr, 16 * j);
        #pragma unroll
        for (int t = 0; t < GEMV_T; t++) {
            acc[t] = fma(wv, vload16(j, xr[t]), acc[t]);
        }
    }
#endif
    for (int t = 0; t < GEMV_T && t0 + t < tokens; t++) {
        float16 a = acc[t];
        float8 s8 = a.lo + a.hi;
        float4 s4 = s8.lo + s8.hi;
        float s = s4.x + s4.y + s4.z + s4.w;
        for (int i = in16 * 16; i < in; i++) {
            s += LOAD_W(wr, i) * xr[t][i];
        }
        y[(size_t)(t0 + t) * out + o] = s;
    }
}

__kernel void gemv_rows(__global const float *x, __global const wtype *w, __global float *y, int in, int out,
                        int tokens) {
    int o = get_global_id(0);
    int t0 = get_global_id(1) * GEMV_T;
    if (o < out && t0 < tokens) {
        gemv_rows_row(x, w, y, in, out, tokens, o, t0);
    }
}

// Three matmuls sharing x (the attention q, k, v projections) in one launch: output rows 0 .. out0-1 are w0's, the
// next out1 are w1's, the last out2 are w2's. Global (out0 + out1 + out2, ceil(tokens / GEMV_T)), local (n, 1).
__kernel void gemv_rows3(__global const float *x, int in, int tokens,
                         __global const wtype *w0, __global float *y0, int out0,
                         __global const wtype *w1, __global float *y1, int out1,
                         __global const wtype *w2, __global float *y2, int out2) {
    int o = get_global_id(0);
    int t0 = get_global_id(1) * GEMV_T;
    if (t0 >= tokens || o >= out0 + out1 + out2) {
        return;
    }
    stacked_row r = stacked_row_of(o, w0, y0, out0, w1, y1, out1, w2, y2, out2);
    gemv_rows_row(x, r.w, r.y, in, r.out, tokens, r.row, t0);
}
