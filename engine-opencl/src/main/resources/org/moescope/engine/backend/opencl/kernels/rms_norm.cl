// One work-group of REDUCE_SIZE items per row: out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w.
// x, out [rows, n] F32 (out may alias x: every item reads its elements before writing them); w [n] of wtype.
__kernel __attribute__((reqd_work_group_size(REDUCE_SIZE, 1, 1)))
void rms_norm(__global const float *x, __global const wtype *w, __global float *out, int n, float eps) {
    __local float partial[REDUCE_SIZE];
    int lid = get_local_id(0);
    size_t row = get_group_id(0);
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

// CPU variant: one work-item per row, no barriers (a work-item is a loop iteration on CPU devices); squares are
// summed in 16 lanes so the loop vectorises. Global: rows.
__kernel void rms_norm_rows(__global const float *x, __global const wtype *w, __global float *out, int n, float eps,
                            int rows) {
    size_t row = get_global_id(0);
    if (row >= rows) {
        return;
    }
    __global const float *xr = x + row * n;
    float16 sum16 = (float16)(0.0f);
    int n16 = n / 16;
    for (int j = 0; j < n16; j++) {
        float16 v = vload16(j, xr);
        sum16 = fma(v, v, sum16);
    }
    float8 s8 = sum16.lo + sum16.hi;
    float4 s4 = s8.lo + s8.hi;
    float sum = s4.x + s4.y + s4.z + s4.w;
    for (int i = n16 * 16; i < n; i++) {
        sum += xr[i] * xr[i];
    }
    float inv = rsqrt(sum / (float)n + eps);
    __global float *outr = out + row * n;
    for (int j = 0; j < n16; j++) {
        vstore16(vload16(j, xr) * inv * LOAD_W16(w, j), j, outr);
    }
    for (int i = n16 * 16; i < n; i++) {
        outr[i] = xr[i] * inv * LOAD_W(w, i);
    }
}
