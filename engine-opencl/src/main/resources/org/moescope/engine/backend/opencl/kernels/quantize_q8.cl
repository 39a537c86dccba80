// Q8_0 activations: x [rows, n] F32 (n a multiple of 32) into Q8_0 blocks, as ggml's quantize_row_q8_0_ref: per 32
// values d = max|x| / 127, q = round(x / d) (halves away from zero) computed as x * (1 / d), d stored as f16 (nearest
// even). Built with -cl-fp32-correctly-rounded-divide-sqrt, so the two divisions are IEEE ones on every device.
// One work-item per block; global size: the number of blocks.
__kernel void quantize_q8_0(__global const float* x, __global uchar* xq, int blocks) {
    const int i = get_global_id(0);
    if (i >= blocks) {
        return;
    }
    const float16 a = vload16(0, x + (size_t) i * 32);
    const float16 b = vload16(1, x + (size_t) i * 32);
    const float16 m16 = fmax(fabs(a), fabs(b));
    const float8 m8 = fmax(m16.lo, m16.hi);
    const float4 m4 = fmax(m8.lo, m8.hi);
    const float amax = fmax(fmax(m4.s0, m4.s1), fmax(m4.s2, m4.s3));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    __global uchar* yb = xq + (size_t) i * 34;
    vstore_half_rte(d, 0, (__global half*) yb);
    vstore16(as_uchar16(convert_char16(round(a * id))), 0, yb + 2);
    vstore16(as_uchar16(convert_char16(round(b * id))), 0, yb + 18);
}
