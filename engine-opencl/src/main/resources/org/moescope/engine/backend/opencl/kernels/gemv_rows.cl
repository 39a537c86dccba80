// CPU GEMV: y[t, o] = sum_i x[t, i] * w[o, i] for T = GEMV_T tokens, one work-item per output row.
// On CPU devices a work-item is a loop iteration, so each row is streamed contiguously with 16-wide vector loads
// (one AVX-512 register) and no local memory or barriers; the hardware prefetcher sees one stream per row.
// x [T, in] F32, w [out, in] wtype, y [T, out] F32. Global: out (rounded up), any local size.
__kernel void gemv_rows(__global const float *x, __global const wtype *w, __global float *y, int in, int out) {
    int o = get_global_id(0);
    if (o >= out) {
        return;
    }
    __global const wtype *wr = w + (size_t)o * in;
    float16 acc[GEMV_T];
    #pragma unroll
    for (int t = 0; t < GEMV_T; t++) {
        acc[t] = (float16)(0.0f);
    }
    int in16 = in / 16;
    for (int j = 0; j < in16; j++) {
        float16 wv = LOAD_W16(wr, j);
        #pragma unroll
        for (int t = 0; t < GEMV_T; t++) {
            acc[t] = fma(wv, vload16(j, x + (size_t)t * in), acc[t]);
        }
    }
    for (int t = 0; t < GEMV_T; t++) {
        float16 a = acc[t];
        float8 s8 = a.lo + a.hi;
        float4 s4 = s8.lo + s8.hi;
        float s = s4.x + s4.y + s4.z + s4.w;
        for (int i = in16 * 16; i < in; i++) {
            s += LOAD_W(wr, i) * x[(size_t)t * in + i];
        }
        y[(size_t)t * out + o] = s;
    }
}
