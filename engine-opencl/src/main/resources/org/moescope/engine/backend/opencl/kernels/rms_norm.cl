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
