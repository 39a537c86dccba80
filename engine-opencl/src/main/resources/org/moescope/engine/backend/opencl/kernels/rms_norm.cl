// One work-group of REDUCE_SIZE items per row: out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w.
// x, out [rows, n] F32 (out may alias x: every item reads its elements before writing them); w [n] of wtype.
// Row `row` of x into out, by the whole work-group. partial: REDUCE_SIZE floats of local scratch.
inline void rms_norm_group(__global const float *x, __global const wtype *w, __global float *out, int n, float eps,
                           size_t row, __local float *partial) {
    int lid = get_local_id(0);
    __global const float *xr = x + row * n;
    float sum = 0.0f;
    for (int i = lid; i < n; i += REDUCE_SIZE) {
        float v = xr[i];
        sum += v * v;
    }
    partial[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = REDUCE_SIZE / 2; s > 0; s >>= 1) {
        if (lid < s) {
            partial[lid] += partial[lid + s];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float inv = rsqrt(partial[0] / (float)n + eps);
    __global float *outr = out + row * n;
    for (int i = lid; i < n; i += REDUCE_SIZE) {
        outr[i] = xr[i] * inv * LOAD_W(w, i);
    }
}

__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void rms_norm(__global const float *x, __global const wtype *w, __global float *out, int n, float eps) {
    __local float partial[REDUCE_SIZE];
    rms_norm_group(x, w, out, n, eps, get_group_id(0), partial);
}

// residual[r, :] += delta[r, :], then normed[r, :] = RMSNorm(residual[r, :]) * w, one work-group per row (the attention
// block's residual add and the next norm in one launch). Each item adds the elements it then reads in rms_norm_group,
// so it rereads only what it wrote itself and needs no barrier in between.
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void add_rms_norm(__global float *residual, __global const float *delta, __global const wtype *w,
                  __global float *normed, int n, float eps) {
    __local float partial[REDUCE_SIZE];
    size_t row = get_group_id(0);
    __global float *rr = residual + row * n;
    __global const float *dr = delta + row * n;
    for (int i = get_local_id(0); i < n; i += REDUCE_SIZE) {   // the elements rms_norm_group will give this item
        rr[i] += dr[i];
    }
    rms_norm_group(residual, w, normed, n, eps, row, partial);
}

// Two in-place norms in one launch (the per-head q and k norms): rows 0 .. rows0-1 of x0 with w0, then the rows of
// x1 with w1. Global: (rows0 + rows1) * REDUCE_SIZE.
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void rms_norm2(__global float *x0, __global const wtype *w0, int rows0, __global float *x1,
               __global const wtype *w1, int n, float eps) {
    __local float partial[REDUCE_SIZE];
    size_t row = get_group_id(0);
    bool first = row < (size_t)rows0;   // the same for the whole group: its barriers stay uniform
    rms_norm_group(first ? x0 : x1, first ? w0 : w1, first ? x0 : x1, n, eps, first ? row : row - rows0, partial);
}

// CPU variant: one work-item per row, no barriers (a work-item is a loop iteration on CPU devices); squares are
// summed in 16 lanes so the loop vectorises. Global: rows.
// One row of x into out by one work-item.
inline void rms_norm_row(__global const float *x, __global const wtype *w, __global float *out, int n, float eps,
                         size_t row) {
    __global const float *xr = x + row * n;
    float16 squares = (float16)(0.0f);
    int n16 = n / 16;
    for (int j = 0; j < n16; j++) {
        float16 v = vload16(j, xr);
        squares = fma(v, v, squares);
    }
    float8 s8 = squares.lo + squares.hi;
    float4 s4 = s8.lo + s8.hi;
    float sum = s4.x + s4.y + s4.z + s4.w;
    for (int i = n16 * 16; i < n; i++) {
        sum += xr[i] * xr[i];
    }
    float inv = rsqrt(sum / (float)n + eps);
    __global float *outr = out + row * n;
    for (int j = 0; j < n16; j++) {
        vstore16(vload16(j, xr) * inv * LOAD_W16(w, 16 * j), j, outr);
    }
    for (int i = n16 * 16; i < n; i++) {
        outr[i] = xr[i] * inv * LOAD_W(w, i);
    }
}

__kernel void rms_norm_rows(__global const float *x, __global const wtype *w, __global float *out, int n, float eps,
                            int rows) {
    size_t row = get_global_id(0);
    if (row < rows) {
        rms_norm_row(x, w, out, n, eps, row);
    }
}

// CPU variant of rms_norm2. Global: rows0 + rows1.
__kernel void rms_norm_rows2(__global float *x0, __global const wtype *w0, int rows0, __global float *x1,
                             __global const wtype *w1, int rows1, int n, float eps) {
    size_t row = get_global_id(0);
    if (row < (size_t)rows0) {
        rms_norm_row(x0, w0, x0, n, eps, row);
    } else if (row < (size_t)rows0 + rows1) {
        rms_norm_row(x1, w1, x1, n, eps, row - rows0);
    }
}

// CPU variant of add_rms_norm: one work-item per row. Global: rows.
__kernel void add_rms_norm_rows(__global float *residual, __global const float *delta, __global const wtype *w,
                                __global float *normed, int n, float eps, int rows) {
    size_t row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    __global float *rr = residual + row * n;
    __global const float *dr = delta + row * n;
    int n16 = n / 16;
    for (int j = 0; j < n16; j++) {
        vstore16(vload16(j, rr) + vload16(j, dr), j, rr);
    }
    for (int i = n16 * 16; i < n; i++) {
        rr[i] += dr[i];
    }
    rms_norm_row(residual, w, normed, n, eps, row);
}
