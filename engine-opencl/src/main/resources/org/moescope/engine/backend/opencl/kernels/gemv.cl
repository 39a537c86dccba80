// y[t, o] = sum_i x[t, i] * w[o, i] for a few tokens (T = GEMV_T): x [T, in] F32, w [out, in] wtype, y [T, out].
// A work-group of GEMV_LOCAL items computes GEMV_ROWS output rows; each row gets LANES = GEMV_LOCAL / GEMV_ROWS
// items that stride over the row four elements at a time (consecutive lanes read consecutive 4-element chunks, so
// weight reads coalesce), keep T partial sums, and reduce them in local memory. Each weight row is read once for
// all T tokens. Global size: ceil(out / GEMV_ROWS) * GEMV_LOCAL.
#define LANES (GEMV_LOCAL / GEMV_ROWS)

// Row o of w (o >= out: nothing to do, but the item still takes part in the barriers) into y.
// partial: the work-group's GEMV_T x GEMV_LOCAL local scratch.
inline void gemv_row(__global const float *x, __global const wtype *w, __global float *y, int in, int out, int o,
                     __local float *partial) {
    int lid = get_local_id(0);
    int lane = lid % LANES;
    float acc[GEMV_T];
    for (int t = 0; t < GEMV_T; t++) {
        acc[t] = 0.0f;
    }
    if (o < out) {
        __global const wtype *wr = W_ROW(w, (size_t)o * in);
        int in4 = in / 4;
        for (int j = lane; j < in4; j += LANES) {
            float4 wv = LOAD_W4(wr, 4 * j);
            for (int t = 0; t < GEMV_T; t++) {
                acc[t] += dot(wv, vload4(j, x + (size_t)t * in));
            }
        }
        for (int i = in4 * 4 + lane; i < in; i += LANES) {
            float wv = LOAD_W(wr, i);
            for (int t = 0; t < GEMV_T; t++) {
                acc[t] += wv * x[(size_t)t * in + i];
            }
        }
    }
    for (int t = 0; t < GEMV_T; t++) {
        partial[t * GEMV_LOCAL + lid] = acc[t];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = LANES / 2; s > 0; s >>= 1) {
        if (lane < s) {
            for (int t = 0; t < GEMV_T; t++) {
                partial[t * GEMV_LOCAL + lid] += partial[t * GEMV_LOCAL + lid + s];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lane == 0 && o < out) {
        for (int t = 0; t < GEMV_T; t++) {
            y[(size_t)t * out + o] = partial[t * GEMV_LOCAL + lid];
        }
    }
}

__kernel __attribute__((reqd_work_group_size(GEMV_LOCAL, 1, 1)))
void gemv(__global const float *x, __global const wtype *w, __global float *y, int in, int out) {
    __local float partial[GEMV_T * GEMV_LOCAL];
    gemv_row(x, w, y, in, out, get_group_id(0) * GEMV_ROWS + get_local_id(0) / LANES, partial);
}

// Three GEMVs sharing x (the attention q, k, v projections) in one launch: output rows 0 .. out0-1 are w0's, the next
// out1 are w1's, the last out2 are w2's. Global size: ceil((out0 + out1 + out2) / GEMV_ROWS) * GEMV_LOCAL.
__kernel __attribute__((reqd_work_group_size(GEMV_LOCAL, 1, 1)))
void gemv3(__global const float *x, int in,
           __global const wtype *w0, __global float *y0, int out0,
           __global const wtype *w1, __global float *y1, int out1,
           __global const wtype *w2, __global float *y2, int out2) {
    __local float partial[GEMV_T * GEMV_LOCAL];
    int o = get_group_id(0) * GEMV_ROWS + get_local_id(0) / LANES;
    // Choose the weight first and call gemv_row from one place: its barriers must be reached by every item of the
    // work-group through the same call, and a group may span two weights. Past out2: no row, barriers only.
    stacked_row r = stacked_row_of(o, w0, y0, out0, w1, y1, out1, w2, y2, out2);
    gemv_row(x, r.w, r.y, in, r.out, r.row, partial);
}
