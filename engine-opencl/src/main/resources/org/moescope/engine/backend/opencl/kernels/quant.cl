// Quantized weights (built with one of -DW_Q8_0, -DW_Q4_0, -DW_Q5_0, -DW_Q4_K, -DW_Q5_K, -DW_Q6_K; empty otherwise),
// included after common.cl: W_ROW and LOAD_W* for ggml's blocks (common.cl describes them), the block decoders, the
// Q8-activation integer dot products and the CPU kernels' whole-row products.
#ifdef W_QUANTIZED
// Block decoders, each the float operations of ggml's dequantize_row_* in the same order (so the values are
// bit-identical): W_BLOCK elements in W_BLOCK_BYTES bytes per block, block layouts as ggml's block_q* structs.
// The helpers are always inlined: POCL's compiler otherwise keeps some as calls, and then assembles their vector loads
// byte by byte. q_blockN(b, l) gives N consecutive weights of the block at b from its element l, all in one run that shares a
// scale (N = 1, 4, 16; 16 and 4 divide every such run). LOAD_W32 decodes 32 weights of one block with the block's
// header read and converted once.
#define W_ROW(p, e) ((p) + ((size_t) (e) / W_BLOCK) * W_BLOCK_BYTES)
#define W_ROW_BYTES(n) ((n) / W_BLOCK * W_BLOCK_BYTES)
#define W_BLOCK_AT(p, i) ((p) + ((i) / W_BLOCK) * W_BLOCK_BYTES)
#define LOAD_W(p, i) q_block1(W_BLOCK_AT(p, i), (i) % W_BLOCK)
#define LOAD_W4(p, i) q_block4(W_BLOCK_AT(p, i), (i) % W_BLOCK)
#define LOAD_W16(p, i) q_block16(W_BLOCK_AT(p, i), (i) % W_BLOCK)
#define LOAD_W32(p, i, lo, hi) {                                                                    \
        __global const uchar* b32 = W_BLOCK_AT(p, i);                                               \
        lo = q_block16(b32, (i) % W_BLOCK);                                                         \
        hi = q_block16(b32, (i) % W_BLOCK + 16);                                                    \
    }

// The float of f16 bits h, exactly (vload_half's value, which POCL computes with a dozen integer instructions and a
// branch, a cost paid per block of weights), without branches and without float subnormal arithmetic (a microcode
// assist of a hundred cycles on x86, and small scales are common): a normal half by moving its bits and rebiasing
// the exponent, a subnormal one (or zero) by converting its integer value, blended by a mask.
inline __attribute__((always_inline)) float half_bits_to_float(uint h) {
    const uint em = h & 0x7fffu;
    const uint normal = em >= 0x7c00u ? (em << 13) | 0x7f800000u : (em << 13) + 0x38000000u;   // inf, NaN
    const uint small = as_uint((float) (int) em * 0x1p-24f);
    const uint mask = -(uint) (em < 0x400u);
    return as_float((small & mask) | (normal & ~mask) | ((h & 0x8000u) << 16));
}

// Lane numbers, for the per-lane fifth bits of Q5_0.
#define LANE_INDEX4 ((uint4) (0, 1, 2, 3))
#define LANE_INDEX16 ((uint16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))

// The f16 at byte offset `at` of a block (blocks are 2-byte aligned: every block size is even).
#define BLOCK_HALF(b, at) half_bits_to_float(*(__global const ushort*) ((b) + (at)))

#if defined(W_Q8_0)
// d, qs[32]: w = q * d
#define W_BLOCK 32
#define W_BLOCK_BYTES 34
// Q32_LEVELS16(b, l): the 16 integer levels (as floats) of weights l .. l + 15 of a 32-block, before the scale.
#define Q32_LEVELS16(b, l) convert_float16(as_char16(vload16(0, (b) + 2 + (l))))
#define QW_BLOCK(N)                                                                                 \
inline __attribute__((always_inline)) float##N q_block##N(__global const uchar* b, int l) {                                       \
    return convert_float##N(as_char##N(vload##N(0, b + 2 + l))) * BLOCK_HALF(b, 0);                 \
}
inline __attribute__((always_inline)) float q_block1(__global const uchar* b, int l) {
    return (float) as_char(b[2 + l]) * BLOCK_HALF(b, 0);
}

#elif defined(W_Q4_0)
// d, qs[16]: weight l < 16 is the low nibble of qs[l], weight 16 + l the high one; w = (q - 8) * d
#define W_BLOCK 32
#define W_BLOCK_BYTES 18
#define Q32_LEVELS16(b, l) convert_float16(convert_int16(((l) & 16) ? vload16(0, (b) + 2) >> (uchar) 4         \
                                                                    : vload16(0, (b) + 2) & (uchar) 15) - 8)
#define QW_BLOCK(N)                                                                                 \
inline __attribute__((always_inline)) float##N q_block##N(__global const uchar* b, int l) {                                       \
    const uchar##N q = vload##N(0, b + 2 + (l & 15));                                               \
    const uchar##N nib = (l & 16) ? q >> (uchar) 4 : q & (uchar) 15;                                \
    return convert_float##N(convert_int##N(nib) - 8) * BLOCK_HALF(b, 0);                            \
}
inline __attribute__((always_inline)) float q_block1(__global const uchar* b, int l) {
    const uchar q = b[2 + (l & 15)];
    return (float) ((int) ((l & 16) ? q >> 4 : q & 15) - 8) * BLOCK_HALF(b, 0);
}

#elif defined(W_Q5_0)
// d, qh (32 fifth bits, little-endian), qs[16] nibbles as Q4_0: w = ((nibble | bit << 4) - 16) * d
#define W_BLOCK 32
#define W_BLOCK_BYTES 22
#define Q32_LEVELS16(b, l) q5_0_levels16(b, l)
#define QW_BLOCK(N)                                                                                 \
inline __attribute__((always_inline)) float##N q_block##N(__global const uchar* b, int l) {                                       \
    const uint qh = as_uint(vload4(0, b + 2));                                                      \
    const uchar##N q = vload##N(0, b + 6 + (l & 15));                                               \
    const uchar##N nib = (l & 16) ? q >> (uchar) 4 : q & (uchar) 15;                                \
    const int##N high = as_int##N(((uint##N) (qh) >> (LANE_INDEX##N + (uint) l)) & 1u) << 4;        \
    return convert_float##N((convert_int##N(nib) | high) - 16) * BLOCK_HALF(b, 0);                  \
}
inline __attribute__((always_inline)) float16 q5_0_levels16(__global const uchar* b, int l) {
    const uint qh = as_uint(vload4(0, b + 2));
    const uchar16 q = vload16(0, b + 6);
    const uchar16 nib = (l & 16) ? q >> (uchar) 4 : q & (uchar) 15;
    const int16 high = as_int16(((uint16) (qh) >> (LANE_INDEX16 + (uint) l)) & 1u) << 4;
    return convert_float16((convert_int16(nib) | high) - 16);
}
inline __attribute__((always_inline)) float q_block1(__global const uchar* b, int l) {
    const uint qh = as_uint(vload4(0, b + 2));
    const uchar q = b[6 + (l & 15)];
    const int nib = (l & 16) ? q >> 4 : q & 15;
    return (float) ((nib | (int) (((qh >> l) & 1u) << 4)) - 16) * BLOCK_HALF(b, 0);
}

#elif defined(W_Q4_K) || defined(W_Q5_K)
// d, dmin, 12 bytes of 6-bit scales and mins of 8 sub-blocks of 32, [Q5_K: qh[32], a fifth bit per sub-block],
// qs[128]: sub-blocks 2g and 2g + 1 are the low and high nibbles of qs[32g .. 32g + 31];
// w = (d * scale) * q - dmin * min
#define W_BLOCK 256
#if defined(W_Q4_K)
#define W_BLOCK_BYTES 144
#define K_QS 16
#else
#define W_BLOCK_BYTES 176
#define K_QH 16
#define K_QS 48
#endif

// Scale (s0) and min (s1) of sub-block j (ggml's get_scale_min_k4).
inline __attribute__((always_inline)) uchar2 k4_scale_min(__global const uchar* s, int j) {
    if (j < 4) {
        return (uchar2) (s[j] & 63, s[j + 4] & 63);
    }
    return (uchar2) ((s[j + 4] & 15) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4));
}

// All 8 sub-blocks' scales (s0..s7) and mins (s8..sf) of a block at once (get_scale_min_k4 on vectors).
inline __attribute__((always_inline)) uchar16 k4_scales_mins(__global const uchar* s) {
    const uchar4 a = vload4(0, s);
    const uchar4 m = vload4(1, s);
    const uchar4 c = vload4(2, s);
    return (uchar16) (a & (uchar) 63, (c & (uchar) 15) | ((a >> (uchar) 6) << (uchar) 4),
                      m & (uchar) 63, (c >> (uchar) 4) | ((m >> (uchar) 6) << (uchar) 4));
}

#if defined(W_Q4_K)
#define K_FIFTH_BIT(N, b, sub, l) ((uchar##N) (0))
#define K_FIFTH_BIT1(b, sub, l) 0
#else
#define K_FIFTH_BIT(N, b, sub, l) (((vload##N(0, (b) + K_QH + ((l) & 31)) >> (uchar) (sub)) & (uchar) 1) << (uchar) 4)
#define K_FIFTH_BIT1(b, sub, l) ((((b)[K_QH + ((l) & 31)] >> (sub)) & 1) << 4)
#endif

#define QW_BLOCK(N)                                                                                 \
inline __attribute__((always_inline)) float##N q_block##N(__global const uchar* b, int l) {                                       \
    const int sub = l >> 5;                                                                         \
    const uchar2 sm = k4_scale_min(b + 4, sub);                                                     \
    const float d = BLOCK_HALF(b, 0) * sm.s0;                                                       \
    const float m = BLOCK_HALF(b, 2) * sm.s1;                                                       \
    const uchar##N q = vload##N(0, b + K_QS + (sub >> 1) * 32 + (l & 31));                          \
    const uchar##N nib = (sub & 1) ? q >> (uchar) 4 : q & (uchar) 15;                               \
    return d * convert_float##N(nib + K_FIFTH_BIT(N, b, sub, l)) - m;                               \
}
inline __attribute__((always_inline)) float q_block1(__global const uchar* b, int l) {
    const int sub = l >> 5;
    const uchar2 sm = k4_scale_min(b + 4, sub);
    const float d = BLOCK_HALF(b, 0) * sm.s0;
    const float m = BLOCK_HALF(b, 2) * sm.s1;
    const uchar q = b[K_QS + (sub >> 1) * 32 + (l & 31)];
    return d * (float) (((sub & 1) ? q >> 4 : q & 15) + K_FIFTH_BIT1(b, sub, l)) - m;
}

#elif defined(W_Q6_K)
// ql[128], qh[64], int8 scales[16], d. Each half of 128 weights: quarter c (32 weights) takes the low (c = 0, 1) or
// high (c = 2, 3) nibbles of ql[64h + 32(c & 1) ..] and bits 2c, 2c + 1 of qh[32h ..]; scale 8h + 2c + l / 16.
// w = (d * scale) * (q - 32)
#define W_BLOCK 256
#define W_BLOCK_BYTES 210
#define QW_BLOCK(N)                                                                                 \
inline __attribute__((always_inline)) float##N q_block##N(__global const uchar* b, int e) {                                       \
    const int h = e >> 7;                                                                           \
    const int c = (e >> 5) & 3;                                                                     \
    const int l = e & 31;                                                                           \
    const uchar##N lo = vload##N(0, b + 64 * h + 32 * (c & 1) + l);                                 \
    const uchar##N nib = (c & 2) ? lo >> (uchar) 4 : lo & (uchar) 15;                               \
    const uchar##N hi = (vload##N(0, b + 128 + 32 * h + l) >> (uchar) (2 * c)) & (uchar) 3;          \
    const float d = BLOCK_HALF(b, 208) * (float) as_char(b[192 + 8 * h + 2 * c + (l >> 4)]);        \
    return d * convert_float##N(convert_int##N(nib | (hi << (uchar) 4)) - 32);                      \
}
inline __attribute__((always_inline)) float q_block1(__global const uchar* b, int e) {
    const int h = e >> 7;
    const int c = (e >> 5) & 3;
    const int l = e & 31;
    const uchar lo = b[64 * h + 32 * (c & 1) + l];
    const int nib = (c & 2) ? lo >> 4 : lo & 15;
    const int hi = (b[128 + 32 * h + l] >> (2 * c)) & 3;
    const float d = BLOCK_HALF(b, 208) * (float) as_char(b[192 + 8 * h + 2 * c + (l >> 4)]);
    return d * (float) ((nib | (hi << 4)) - 32);
}
#endif

QW_BLOCK(4)
QW_BLOCK(16)

// ---- Q8 activations: x in Q8_0 blocks (34 bytes: f16 dx, 32 int8), integer dot products per 32 weights.
// q8_dot32(wb, l, xb) = weights l .. l + 31 of the weight block at wb · the 32 values of the x block at xb, as
// llama.cpp's vec_dot kernels: an integer sum per scale, then the scales in float:
//   Q8_0: sumi * (dw * dx);  Q4_0, Q5_0: sumi * dw * dx;
//   Q4_K, Q5_K: dx * ((d * scale) * sum(q * qx) - (dmin * min) * sum(qx));
//   Q6_K: dx * (d * (scale_0 * sum_0 + scale_1 * sum_1)) over its two 16-weight scales.
#define Q8_BLOCK_BYTES 34

inline __attribute__((always_inline)) int isum16(int16 v) {
    const int8 a = v.lo + v.hi;
    const int4 b = a.lo + a.hi;
    return (b.s0 + b.s1) + (b.s2 + b.s3);
}

// The 32 int8 x values of a Q8_0 block as two int16 vectors.
#define Q8_X(xb, x0, x1)                                                                            \
    const int16 x0 = convert_int16(as_char16(vload16(0, (xb) + 2)));                                \
    const int16 x1 = convert_int16(as_char16(vload16(0, (xb) + 18)));

#if defined(W_Q8_0)
inline __attribute__((always_inline)) float q8_dot32(__global const uchar* wb, int l, __global const uchar* xb) {
    Q8_X(xb, x0, x1)
    const int sumi = isum16(convert_int16(as_char16(vload16(0, wb + 2))) * x0
            + convert_int16(as_char16(vload16(0, wb + 18))) * x1);
    return (float) sumi * (BLOCK_HALF(wb, 0) * BLOCK_HALF(xb, 0));
}
#elif defined(W_Q4_0) || defined(W_Q5_0)
inline __attribute__((always_inline)) float q8_dot32(__global const uchar* wb, int l, __global const uchar* xb) {
    Q8_X(xb, x0, x1)
#if defined(W_Q4_0)
    const uchar16 q = vload16(0, wb + 2);
    const int16 w0 = convert_int16(q & (uchar) 15) - 8;
    const int16 w1 = convert_int16(q >> (uchar) 4) - 8;
#else
    const uint qh = as_uint(vload4(0, wb + 2));
    const uchar16 q = vload16(0, wb + 6);
    const int16 w0 = (convert_int16(q & (uchar) 15) | (as_int16(((uint16) (qh) >> LANE_INDEX16) & 1u) << 4)) - 16;
    const int16 w1 = (convert_int16(q >> (uchar) 4)
            | (as_int16(((uint16) (qh) >> (LANE_INDEX16 + 16u)) & 1u) << 4)) - 16;
#endif
    const int sumi = isum16(w0 * x0 + w1 * x1);
    return (float) sumi * BLOCK_HALF(wb, 0) * BLOCK_HALF(xb, 0);
}
#elif defined(W_Q4_K) || defined(W_Q5_K)
inline __attribute__((always_inline)) float q8_dot32(__global const uchar* wb, int l, __global const uchar* xb) {
    Q8_X(xb, x0, x1)
    const int sub = l >> 5;
    const uchar2 sm = k4_scale_min(wb + 4, sub);
    __global const uchar* qs = wb + K_QS + (sub >> 1) * 32;
    const uchar16 q0 = vload16(0, qs);
    const uchar16 q1 = vload16(1, qs);
    const int16 w0 = convert_int16(((sub & 1) ? q0 >> (uchar) 4 : q0 & (uchar) 15) + K_FIFTH_BIT(16, wb, sub, 0));
    const int16 w1 = convert_int16(((sub & 1) ? q1 >> (uchar) 4 : q1 & (uchar) 15) + K_FIFTH_BIT(16, wb, sub, 16));
    const int sumi = isum16(w0 * x0 + w1 * x1);
    const int sumx = isum16(x0 + x1);
    const float d = BLOCK_HALF(wb, 0) * sm.s0;
    const float m = BLOCK_HALF(wb, 2) * sm.s1;
    return BLOCK_HALF(xb, 0) * (d * (float) sumi - m * (float) sumx);
}
#elif defined(W_Q6_K)
inline __attribute__((always_inline)) float q8_dot32(__global const uchar* wb, int e, __global const uchar* xb) {
    Q8_X(xb, x0, x1)
    const int h = e >> 7;
    const int c = (e >> 5) & 3;
    __global const uchar* ql = wb + 64 * h + 32 * (c & 1);
    __global const uchar* qh = wb + 128 + 32 * h;
    const uchar16 l0 = vload16(0, ql);
    const uchar16 l1 = vload16(1, ql);
    const uchar16 n0 = (c & 2) ? l0 >> (uchar) 4 : l0 & (uchar) 15;
    const uchar16 n1 = (c & 2) ? l1 >> (uchar) 4 : l1 & (uchar) 15;
    const uchar16 h0 = (vload16(0, qh) >> (uchar) (2 * c)) & (uchar) 3;
    const uchar16 h1 = (vload16(1, qh) >> (uchar) (2 * c)) & (uchar) 3;
    const int16 w0 = convert_int16(n0 | (h0 << (uchar) 4)) - 32;
    const int16 w1 = convert_int16(n1 | (h1 << (uchar) 4)) - 32;
    __global const char* sc = (__global const char*) (wb + 192 + 8 * h + 2 * c);
    const int sumi = sc[0] * isum16(w0 * x0) + sc[1] * isum16(w1 * x1);
    return BLOCK_HALF(xb, 0) * (BLOCK_HALF(wb, 208) * (float) sumi);
}
#endif

// q8_acc32(wb, l, xb, acc): q8_dot32's products added to 16 float lanes instead of summed, for the CPU kernels: the
// 16-bit products of the two halves of the 32 (they fit: |w| <= 128, |qx| <= 127, and 2 * 128 * 127 < 2^15) are
// converted to float once and scaled with one fma per scale, so no block ends in a horizontal sum.
#define Q8_X16(xb, x0, x1)                                                                          \
    const short16 x0 = convert_short16(as_char16(vload16(0, (xb) + 2)));                            \
    const short16 x1 = convert_short16(as_char16(vload16(0, (xb) + 18)));

#if defined(W_Q8_0) || defined(W_Q4_0) || defined(W_Q5_0)
// With s = the weight block's scale times x's.
inline __attribute__((always_inline)) float16 q8_acc32_scaled(__global const uchar* wb, __global const uchar* xb,
                                                              float s, float16 acc) {
    Q8_X16(xb, x0, x1)
#if defined(W_Q8_0)
    const short16 w0 = convert_short16(as_char16(vload16(0, wb + 2)));
    const short16 w1 = convert_short16(as_char16(vload16(0, wb + 18)));
#elif defined(W_Q4_0)
    const uchar16 q = vload16(0, wb + 2);
    const short16 w0 = convert_short16(q & (uchar) 15) - (short) 8;
    const short16 w1 = convert_short16(q >> (uchar) 4) - (short) 8;
#else
    const uint qh = as_uint(vload4(0, wb + 2));
    const uchar16 q = vload16(0, wb + 6);
    const short16 w0 = (convert_short16(q & (uchar) 15)
            | convert_short16(((uint16) (qh) >> LANE_INDEX16) & 1u) << (short) 4) - (short) 16;
    const short16 w1 = (convert_short16(q >> (uchar) 4)
            | convert_short16(((uint16) (qh) >> (LANE_INDEX16 + 16u)) & 1u) << (short) 4) - (short) 16;
#endif
    return fma(convert_float16(w0 * x0 + w1 * x1), (float16) (s), acc);
}

inline __attribute__((always_inline)) float16 q8_acc32(__global const uchar* wb, int l, __global const uchar* xb, float dx,
                                                        float16 acc) {
    return q8_acc32_scaled(wb, xb, BLOCK_HALF(wb, 0) * dx, acc);
}
#elif defined(W_Q4_K) || defined(W_Q5_K)
inline __attribute__((always_inline)) float16 q8_acc32(__global const uchar* wb, int l, __global const uchar* xb, float dx,
                                                        float16 acc) {
    Q8_X16(xb, x0, x1)
    const int sub = l >> 5;
    const uchar2 sm = k4_scale_min(wb + 4, sub);
    __global const uchar* qs = wb + K_QS + (sub >> 1) * 32;
    const uchar16 q0 = vload16(0, qs);
    const uchar16 q1 = vload16(1, qs);
    const short16 w0 = convert_short16(((sub & 1) ? q0 >> (uchar) 4 : q0 & (uchar) 15) + K_FIFTH_BIT(16, wb, sub, 0));
    const short16 w1 = convert_short16(((sub & 1) ? q1 >> (uchar) 4 : q1 & (uchar) 15) + K_FIFTH_BIT(16, wb, sub, 16));
    acc = fma(convert_float16(w0 * x0 + w1 * x1), (float16) (BLOCK_HALF(wb, 0) * sm.s0 * dx), acc);
    return fma(convert_float16(x0 + x1), (float16) (-(BLOCK_HALF(wb, 2) * sm.s1 * dx)), acc);
}
#elif defined(W_Q6_K)
inline __attribute__((always_inline)) float16 q8_acc32(__global const uchar* wb, int e, __global const uchar* xb, float dx,
                                                        float16 acc) {
    Q8_X16(xb, x0, x1)
    const int h = e >> 7;
    const int c = (e >> 5) & 3;
    __global const uchar* ql = wb + 64 * h + 32 * (c & 1);
    __global const uchar* qh = wb + 128 + 32 * h;
    const uchar16 l0 = vload16(0, ql);
    const uchar16 l1 = vload16(1, ql);
    const uchar16 n0 = (c & 2) ? l0 >> (uchar) 4 : l0 & (uchar) 15;
    const uchar16 n1 = (c & 2) ? l1 >> (uchar) 4 : l1 & (uchar) 15;
    const uchar16 h0 = (vload16(0, qh) >> (uchar) (2 * c)) & (uchar) 3;
    const uchar16 h1 = (vload16(1, qh) >> (uchar) (2 * c)) & (uchar) 3;
    const short16 w0 = convert_short16(n0 | (h0 << (uchar) 4)) - (short) 32;
    const short16 w1 = convert_short16(n1 | (h1 << (uchar) 4)) - (short) 32;
    __global const char* sc = (__global const char*) (wb + 192 + 8 * h + 2 * c);
    const float ddx = BLOCK_HALF(wb, 208) * dx;
    acc = fma(convert_float16(w0 * x0), (float16) (ddx * sc[0]), acc);
    return fma(convert_float16(w1 * x1), (float16) (ddx * sc[1]), acc);
}
#endif

// The CPU kernels take a row in chunks of Q8_CHUNK elements, with the chunk's x scales converted once into a private
// array of Q8_X_SCALES floats for all the weight rows of the work-item.
#define Q8_CHUNK 2048

#if (defined(W_Q4_K) || defined(W_Q5_K) || defined(W_Q6_K) || defined(W_Q8_0)) && defined(__AVX512BW__) \
    && defined(X86_BUILTINS)
// x86 with AVX-512BW (POCL builds for the host CPU): unsigned weight levels (Q4_K's and Q5_K's 0..31, Q6_K's 0..63
// with its offset of 32 taken off through x's sums, Q8_0's magnitudes with their signs moved onto x) times x's int8
// by vpmaddubsw, 64 products per instruction (pairs stay below its 16-bit saturation), summed in pairs by vpmaddwd;
// LLVM forms neither from portable vector code.
#define Q8_AVX512 1
#if !defined(W_Q8_0)
#define Q8_KQ_AVX512 1   // the K-quants' kq_block_q8
#endif
typedef char q8_v64 __attribute__((vector_size(64)));
typedef char q8_v32 __attribute__((vector_size(32), aligned(1)));
typedef short q8_v32s __attribute__((vector_size(64)));
typedef char q8_v64u __attribute__((vector_size(64), aligned(1)));
typedef short q8_v16s __attribute__((vector_size(32)));
typedef short q8_v8s __attribute__((vector_size(16)));
typedef float q8_v4f __attribute__((vector_size(16)));
#define Q8_IDX64 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, \
        27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, \
        54, 55, 56, 57, 58, 59, 60, 61, 62, 63
// 32 bytes from p and 32 from p + stride, as one vector.
#define Q8_LOAD64(p, stride) __builtin_shufflevector(*(__global const q8_v32*) (p),                   \
                                                     *(__global const q8_v32*) ((p) + (stride)), Q8_IDX64)
// Here dx[Q8_X_LANES + 8 j + i] = the scale of x block (k0 >> 5) + j, for i < 8 (one per int lane of the
// products); for Q4_K, Q5_K dx[j] = that scale times the sum of the block's 32 quants (the min term), for Q6_K
// dx[2 j + h] = 32 times the scale times the sum of quants 16 h .. 16 h + 15 (the offset term).
#define Q8_X_LANES (Q8_CHUNK / 16)
#define Q8_X_SCALES (Q8_CHUNK / 32 * 10)
#else
#define Q8_X_SCALES (Q8_CHUNK / 32)
#endif

// dx[j] = the scale of x block (k0 >> 5) + j, for the blocks of [k0, k1).
inline __attribute__((always_inline)) void q8_x_scales(__global const uchar* xq, int k0, int k1, float* dx) {
    for (int k = k0; k < k1; k += 32) {
        __global const uchar* xb = xq + (k >> 5) * Q8_BLOCK_BYTES;
#ifdef Q8_AVX512
        vstore8((float8) (BLOCK_HALF(xb, 0)), 0, dx + Q8_X_LANES + ((k - k0) >> 2));
#endif
#if defined(Q8_KQ_AVX512) && defined(W_Q6_K)
        Q8_X(xb, x0, x1)
        dx[(k - k0) >> 4] = 32.0f * BLOCK_HALF(xb, 0) * (float) isum16(x0);
        dx[((k - k0) >> 4) + 1] = 32.0f * BLOCK_HALF(xb, 0) * (float) isum16(x1);
#elif defined(Q8_KQ_AVX512)
        Q8_X(xb, x0, x1)
        dx[(k - k0) >> 5] = BLOCK_HALF(xb, 0) * (float) isum16(x0 + x1);
#else
        dx[(k - k0) >> 5] = BLOCK_HALF(xb, 0);
#endif
    }
}

// ---- Whole-row products of the CPU kernels: w row · x over whole blocks, added to 16 float lanes. The K-quants go
// block by block with the 256-block's header read once and its 8 sub-blocks unrolled (the scale and min of each known
// at compile time); the others 32 weights (one block) per step. q_row_acc takes F32 x and dequantizes exactly as
// q_block16 does; q8_row_acc takes Q8_0 x and dx, the x scales of the range (q8_x_scales).
#if defined(W_Q4_K) || defined(W_Q5_K)
inline __attribute__((always_inline)) void kq_block_acc(__global const uchar* b, __global const float* x,
                                                        float16* a0, float16* a1) {
    // d * scale and dmin * min of the 8 sub-blocks, as ggml's d1 and m1, computed together
    const float16 sm = convert_float16(k4_scales_mins(b + 4));
    const float8 dds = BLOCK_HALF(b, 0) * sm.lo;
    const float8 mms = BLOCK_HALF(b, 2) * sm.hi;
    const float dd8[8] = {dds.s0, dds.s1, dds.s2, dds.s3, dds.s4, dds.s5, dds.s6, dds.s7};
    const float mm8[8] = {mms.s0, mms.s1, mms.s2, mms.s3, mms.s4, mms.s5, mms.s6, mms.s7};
#if defined(W_Q5_K)
    const uchar16 h0 = vload16(0, b + K_QH);
    const uchar16 h1 = vload16(1, b + K_QH);
#endif
    #pragma unroll
    for (int sub = 0; sub < 8; sub++) {
        const float dd = dd8[sub];
        const float mm = mm8[sub];
        const uchar16 q0 = vload16(0, b + K_QS + (sub >> 1) * 32);
        const uchar16 q1 = vload16(1, b + K_QS + (sub >> 1) * 32);
        uchar16 n0 = (sub & 1) ? q0 >> (uchar) 4 : q0 & (uchar) 15;
        uchar16 n1 = (sub & 1) ? q1 >> (uchar) 4 : q1 & (uchar) 15;
#if defined(W_Q5_K)
        n0 += ((h0 >> (uchar) sub) & (uchar) 1) << (uchar) 4;
        n1 += ((h1 >> (uchar) sub) & (uchar) 1) << (uchar) 4;
#endif
        *a0 = fma(dd * convert_float16(n0) - mm, vload16(0, x + sub * 32), *a0);
        *a1 = fma(dd * convert_float16(n1) - mm, vload16(1, x + sub * 32), *a1);
    }
}

#ifdef Q8_KQ_AVX512
#define Q8_XS_SHIFT 5
// Sub-blocks 2g and 2g + 1 (the low and high nibbles of the same 32 bytes) in one 64-lane product, summed in pairs
// times their scales by vpmaddwd: 16 int sums, 8 per sub-block, times dx of their sub-block (x's lanes, prepared
// per chunk), times d at the end of the block; the min terms from x's precomputed dx * sum(qx).
#define Q8_REP16(i) i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i
#if defined(W_Q5_K)
#define Q8_K_FIFTH(sub) | (((hb >> (char) (sub)) & (char) 1) << (char) 4)
#else
#define Q8_K_FIFTH(sub)
#endif
#define Q8_KQ_PAIR(g)                                                                               \
    const q8_v32 q##g = *(__global const q8_v32*) (b + K_QS + 32 * (g));                            \
    const q8_v64 w##g = __builtin_shufflevector((q##g & (char) 15) Q8_K_FIFTH(2 * (g)),                  \
            ((q##g >> (char) 4) & (char) 15) Q8_K_FIFTH(2 * (g) + 1), Q8_IDX64);                     \
    const q8_v64 x##g = Q8_LOAD64(xb + 2 * (g) * Q8_BLOCK_BYTES + 2, Q8_BLOCK_BYTES);                 \
    const float16 s##g = convert_float16(as_int16(__builtin_ia32_pmaddwd512(                        \
            __builtin_ia32_pmaddubsw512(w##g, x##g),                                                \
            __builtin_shufflevector(sc, sc, Q8_REP16(2 * (g)), Q8_REP16(2 * (g) + 1)))));
inline __attribute__((always_inline)) void kq_block_q8(__global const uchar* b, __global const uchar* xb,
                                                       const float* xs, const float* dx8, float16* a0, float16* a1) {
    // d and dmin by vcvtph2ps: exact, as BLOCK_HALF, in one instruction
    const ushort2 h = vload2(0, (__global const ushort*) b);
    const q8_v4f dm = __builtin_ia32_vcvtph2ps((q8_v8s) {(short) h.s0, (short) h.s1, 0, 0, 0, 0, 0, 0});
    const uchar16 sm = k4_scales_mins(b + 4);
    (*a1).lo = fma(-(dm[1] * convert_float8(sm.hi)), vload8(0, xs), (*a1).lo);
    const q8_v8s sc = __builtin_astype(convert_short8(sm.lo), q8_v8s);
#if defined(W_Q5_K)
    const q8_v32 hb = *(__global const q8_v32*) (b + K_QH);
#endif
    Q8_KQ_PAIR(0)
    Q8_KQ_PAIR(1)
    Q8_KQ_PAIR(2)
    Q8_KQ_PAIR(3)
    *a0 = fma(fma(s2, vload16(2, dx8), s0 * vload16(0, dx8)), (float16) (dm[0]), *a0);
    *a1 = fma(fma(s3, vload16(3, dx8), s1 * vload16(1, dx8)), (float16) (dm[0]), *a1);
}
#else
inline __attribute__((always_inline)) void kq_block_q8(__global const uchar* b, __global const uchar* xb,
                                                       const float* dx, float16* a0, float16* a1) {
    const float16 sm = convert_float16(k4_scales_mins(b + 4));
    const float8 dds = BLOCK_HALF(b, 0) * sm.lo;
    const float8 mms = BLOCK_HALF(b, 2) * sm.hi;
    const float dd8[8] = {dds.s0, dds.s1, dds.s2, dds.s3, dds.s4, dds.s5, dds.s6, dds.s7};
    const float mm8[8] = {mms.s0, mms.s1, mms.s2, mms.s3, mms.s4, mms.s5, mms.s6, mms.s7};
#if defined(W_Q5_K)
    const uchar16 h0 = vload16(0, b + K_QH);
    const uchar16 h1 = vload16(1, b + K_QH);
#endif
    #pragma unroll
    for (int sub = 0; sub < 8; sub++) {
        Q8_X16(xb + sub * Q8_BLOCK_BYTES, x0, x1)
        const uchar16 q0 = vload16(0, b + K_QS + (sub >> 1) * 32);
        const uchar16 q1 = vload16(1, b + K_QS + (sub >> 1) * 32);
        uchar16 n0 = (sub & 1) ? q0 >> (uchar) 4 : q0 & (uchar) 15;
        uchar16 n1 = (sub & 1) ? q1 >> (uchar) 4 : q1 & (uchar) 15;
#if defined(W_Q5_K)
        n0 += ((h0 >> (uchar) sub) & (uchar) 1) << (uchar) 4;
        n1 += ((h1 >> (uchar) sub) & (uchar) 1) << (uchar) 4;
#endif
        *a0 = fma(convert_float16(convert_short16(n0) * x0 + convert_short16(n1) * x1),
                  (float16) (dd8[sub] * dx[sub]), *a0);
        *a1 = fma(convert_float16(x0 + x1), (float16) (-(mm8[sub] * dx[sub])), *a1);
    }
}
#endif
#elif defined(W_Q6_K)
inline __attribute__((always_inline)) void kq_block_acc(__global const uchar* b, __global const float* x,
                                                        float16* a0, float16* a1) {
    // d * scale of the 16 groups, as ggml's d * sc[is], computed together
    const float16 dsv = BLOCK_HALF(b, 208) * convert_float16(as_char16(vload16(0, b + 192)));
    const float ds16[16] = {dsv.s0, dsv.s1, dsv.s2, dsv.s3, dsv.s4, dsv.s5, dsv.s6, dsv.s7,
                            dsv.s8, dsv.s9, dsv.sa, dsv.sb, dsv.sc, dsv.sd, dsv.se, dsv.sf};
    #pragma unroll
    for (int e = 0; e < 256; e += 16) {
        const int h = e >> 7;
        const int c = (e >> 5) & 3;
        const int l = e & 31;
        const uchar16 lo = vload16(0, b + 64 * h + 32 * (c & 1) + l);
        const uchar16 nib = (c & 2) ? lo >> (uchar) 4 : lo & (uchar) 15;
        const uchar16 hi = (vload16(0, b + 128 + 32 * h + l) >> (uchar) (2 * c)) & (uchar) 3;
        const float ds = ds16[8 * h + 2 * c + (l >> 4)];
        float16* a = (e & 16) ? a1 : a0;
        *a = fma(ds * convert_float16(convert_int16(nib | (hi << (uchar) 4)) - 32), vload16(0, x + e), *a);
    }
}

#ifdef Q8_KQ_AVX512
#define Q8_XS_SHIFT 4
#define Q8_REP8(i) i, i, i, i, i, i, i, i
// Half hf (128 weights): quarters 0, 1 are the low nibbles of ql[64 hf .. 64 hf + 63] in element order, quarters 2, 3
// the high ones, with the high bits of qh[32 hf ..] at 0, 2 and 4, 6; vpmaddwd applies the 16-weight scales.
#define Q8_Q6_HALF(hf)                                                                              \
    const q8_v64 ql##hf = *(__global const q8_v64u*) (b + 64 * (hf));                               \
    const q8_v32 qh##hf = *(__global const q8_v32*) (b + 128 + 32 * (hf));                          \
    const q8_v64 wa##hf = (ql##hf & (char) 15)                                                      \
            | ((__builtin_shufflevector(qh##hf, qh##hf >> (char) 2, Q8_IDX64) & (char) 3) << (char) 4); \
    const q8_v64 wb##hf = ((ql##hf >> (char) 4) & (char) 15)                                        \
            | ((__builtin_shufflevector(qh##hf >> (char) 4, qh##hf >> (char) 6, Q8_IDX64) & (char) 3) << (char) 4); \
    const float16 sa##hf = convert_float16(as_int16(__builtin_ia32_pmaddwd512(                      \
            __builtin_ia32_pmaddubsw512(wa##hf, Q8_LOAD64(xb + 4 * (hf) * Q8_BLOCK_BYTES + 2, Q8_BLOCK_BYTES)), \
            __builtin_shufflevector(sc, sc, Q8_REP8(8 * (hf)), Q8_REP8(8 * (hf) + 1), Q8_REP8(8 * (hf) + 2), \
                                    Q8_REP8(8 * (hf) + 3)))));                                      \
    const float16 sb##hf = convert_float16(as_int16(__builtin_ia32_pmaddwd512(                      \
            __builtin_ia32_pmaddubsw512(wb##hf, Q8_LOAD64(xb + (4 * (hf) + 2) * Q8_BLOCK_BYTES + 2, Q8_BLOCK_BYTES)), \
            __builtin_shufflevector(sc, sc, Q8_REP8(8 * (hf) + 4), Q8_REP8(8 * (hf) + 5), Q8_REP8(8 * (hf) + 6), \
                                    Q8_REP8(8 * (hf) + 7)))));
inline __attribute__((always_inline)) void kq_block_q8(__global const uchar* b, __global const uchar* xb,
                                                       const float* xs, const float* dx8, float16* a0, float16* a1) {
    const ushort hd = *(__global const ushort*) (b + 208);
    const float d = __builtin_ia32_vcvtph2ps((q8_v8s) {(short) hd, 0, 0, 0, 0, 0, 0, 0})[0];   // exact, as BLOCK_HALF
    const short16 sc16 = convert_short16(as_char16(vload16(0, b + 192)));
    const q8_v16s sc = __builtin_astype(sc16, q8_v16s);
    Q8_Q6_HALF(0)
    Q8_Q6_HALF(1)
    const float16 lanes = fma(sa1, vload16(2, dx8), sa0 * vload16(0, dx8));
    const float16 lanesb = fma(sb1, vload16(3, dx8), sb0 * vload16(1, dx8));
    *a0 = fma(lanes - convert_float16(sc16) * vload16(0, xs), (float16) (d), *a0);
    *a1 = fma(lanesb, (float16) (d), *a1);
}
#else
inline __attribute__((always_inline)) void kq_block_q8(__global const uchar* b, __global const uchar* xb,
                                                       const float* dx, float16* a0, float16* a1) {
    #pragma unroll
    for (int e = 0; e < 256; e += 64) {
        *a0 = q8_acc32(b, e, xb + (e >> 5) * Q8_BLOCK_BYTES, dx[e >> 5], *a0);
        *a1 = q8_acc32(b, e + 32, xb + ((e >> 5) + 1) * Q8_BLOCK_BYTES, dx[(e >> 5) + 1], *a1);
    }
}
#endif
#endif

#ifdef Q8_AVX512   // Q8_0 here
// Blocks wb and the next (32 + 32 weights) · x blocks xb and the next, added to acc with s = their scales' products,
// 8 lanes per block: vpmaddubsw takes |w| and x with w's sign.
inline __attribute__((always_inline)) float16 q8_0_pair(__global const uchar* wb, __global const uchar* xb, float16 s,
                                                        float16 acc) {
    const q8_v64 w = Q8_LOAD64(wb + 2, W_BLOCK_BYTES);
    const q8_v64 x = Q8_LOAD64(xb + 2, Q8_BLOCK_BYTES);
    const q8_v64 neg = w < (char) 0;
    const q8_v32s p = __builtin_ia32_pmaddubsw512((w ^ neg) - neg, (x ^ neg) - neg);
    return fma(convert_float16(as_int16(__builtin_ia32_pmaddwd512(p, (q8_v32s) {} + (short) 1))), s, acc);
}
#endif

#if W_BLOCK == 32
// d[j] = the f16 scale of the j-th of `blocks` (<= 16) consecutive 32-blocks from b, converted 16 at once by
// vload_half16 (one instruction on CPUs) instead of one block at a time.
inline __attribute__((always_inline)) void w_scales16(__global const uchar* b, int blocks, float* d) {
    ushort h[16];
    for (int j = 0; j < 16; j++) {
        h[j] = j < blocks ? *(__global const ushort*) (b + j * W_BLOCK_BYTES) : 0;
    }
    vstore16(vload_half16(0, (const half*) h), 0, d);
}
#endif

// (Two accumulators: one fma chain per block would wait on the fma latency, not on memory.)
inline __attribute__((always_inline)) float16 q_row_acc(__global const uchar* wr, __global const float* xr, int inDim,
                                                        float16 acc) {
    float16 a1 = (float16) (0.0f);
#if W_BLOCK == 256
    for (int k = 0; k < inDim; k += 256) {
        kq_block_acc(wr + (k >> 8) * W_BLOCK_BYTES, xr + k, &acc, &a1);
    }
#else
    float d[16];
    for (int k0 = 0; k0 < inDim; k0 += 512) {
        const int blocks = min(16, (inDim - k0) >> 5);
        __global const uchar* b0 = wr + (k0 >> 5) * W_BLOCK_BYTES;
        w_scales16(b0, blocks, d);
        for (int j = 0; j < blocks; j++) {
            __global const uchar* b = b0 + j * W_BLOCK_BYTES;
            acc = fma(Q32_LEVELS16(b, 0) * d[j], vload16(0, xr + k0 + 32 * j), acc);
            a1 = fma(Q32_LEVELS16(b, 16) * d[j], vload16(1, xr + k0 + 32 * j), a1);
        }
    }
#endif
    return acc + a1;
}

// Elements [k0, k1) of w row · the Q8_0 x row, with dx the x scales of that range (q8_x_scales).
inline __attribute__((always_inline)) float q8_row_dot(__global const uchar* wr, __global const uchar* xq, int k0,
                                                       int k1, const float* dx) {
    float16 a0 = (float16) (0.0f);
    float16 a1 = a0;
#if W_BLOCK == 256
    for (int k = k0; k < k1; k += 256) {
#ifdef Q8_KQ_AVX512
        kq_block_q8(wr + (k >> 8) * W_BLOCK_BYTES, xq + (k >> 5) * Q8_BLOCK_BYTES, dx + ((k - k0) >> Q8_XS_SHIFT),
                    dx + Q8_X_LANES + ((k - k0) >> 2), &a0, &a1);
#else
        kq_block_q8(wr + (k >> 8) * W_BLOCK_BYTES, xq + (k >> 5) * Q8_BLOCK_BYTES, dx + ((k - k0) >> 5), &a0, &a1);
#endif
    }
#else
    float d[16];
    for (int g = k0; g < k1; g += 512) {   // 16 blocks: their weight scales converted together
        const int blocks = min(16, (k1 - g) >> 5);
        __global const uchar* b0 = wr + (g >> 5) * W_BLOCK_BYTES;
        __global const uchar* x0 = xq + (g >> 5) * Q8_BLOCK_BYTES;
        const float* dxg = dx + ((g - k0) >> 5);
        w_scales16(b0, blocks, d);
        int j = 0;
#ifdef Q8_AVX512
        const float* dxl = dx + Q8_X_LANES + ((g - k0) >> 2);
        for (; j + 3 < blocks; j += 4) {
            a0 = q8_0_pair(b0 + j * W_BLOCK_BYTES, x0 + j * Q8_BLOCK_BYTES,
                           (float16) ((float8) (d[j]), (float8) (d[j + 1])) * vload16(0, dxl + 8 * j), a0);
            a1 = q8_0_pair(b0 + (j + 2) * W_BLOCK_BYTES, x0 + (j + 2) * Q8_BLOCK_BYTES,
                           (float16) ((float8) (d[j + 2]), (float8) (d[j + 3])) * vload16(1, dxl + 8 * j), a1);
        }
#endif
        for (; j + 1 < blocks; j += 2) {   // two blocks, one per accumulator
            a0 = q8_acc32_scaled(b0 + j * W_BLOCK_BYTES, x0 + j * Q8_BLOCK_BYTES, d[j] * dxg[j], a0);
            a1 = q8_acc32_scaled(b0 + (j + 1) * W_BLOCK_BYTES, x0 + (j + 1) * Q8_BLOCK_BYTES, d[j + 1] * dxg[j + 1], a1);
        }
        if (j < blocks) {
            a0 = q8_acc32_scaled(b0 + j * W_BLOCK_BYTES, x0 + j * Q8_BLOCK_BYTES, d[j] * dxg[j], a0);
        }
    }
#endif
    return sum16(a0 + a1);
}

#endif
