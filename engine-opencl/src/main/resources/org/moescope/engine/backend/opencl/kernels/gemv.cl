// y[t, o] = sum_i x[t, i] * w[o, i] for a few tokens (T = GEMV_T): x [T, in] F32, w [out, in] wtype, y [T, out].
// A work-group of GEMV_LOCAL items computes GEMV_ROWS output rows; each row gets LANES = GEMV_LOCAL / GEMV_ROWS
// items that stride over the row four elements at a time (consecutive lanes read consecutive 4-element chunks, so
// weight reads coalesce), keep T partial sums, and reduce them in local memory. Each weight row is read once for
// all T tokens. Global size: ceil(out / GEMV_ROWS) * GEMV_LOCAL.
#define LANES (GEMV_LOCAL / GEMV_ROWS)

__kernel __attribute__((reqd_work_group_size(GEMV_LOCAL, 1, 1)))
void gemv(__global const float *x, __global const wtype *w, __global float *y, int in, int out) {
    __local float partial[GEMV_T][GEMV_LOCAL];
    int lid = get_local_id(0);
    int lane = lid % LANES;
    int row_in_group = lid / LANES;
    int o = get_group_id(0) * GEMV_ROWS + row_in_group;
    float acc[GEMV_T];
    for (int t = 0; t < GEMV_T; t++) {
        acc[t] = 0.0f;
    }
    if (o < out) {
        __global const wtype *wr = w + (size_t)o * in;
        int in4 = in / 4;
        for (int j = lane; j < in4; j += LANES) {
            float4 wv = LOAD_W4(wr, j);
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
        partial[t][lid] = acc[t];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = LANES / 2; s > 0; s >>= 1) {
        if (lane < s) {
            for (int t = 0; t < GEMV_T; t++) {
                partial[t][lid] += partial[t][lid + s];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lane == 0 && o < out) {
        for (int t = 0; t < GEMV_T; t++) {
            y[(size_t)t * out + o] = partial[t][lid];
        }
    }
}
