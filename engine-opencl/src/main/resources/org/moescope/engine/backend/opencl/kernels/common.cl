// Prepended to every kernel family. Weights are stored F32, F16, BF16 or in one of ggml's block quantizations and
// converted on load; the program is built with exactly one of -DW_F32, -DW_F16, -DW_BF16, -DW_Q8_0, -DW_Q4_0,
// -DW_Q5_0, -DW_Q4_K, -DW_Q5_K, -DW_Q6_K (no define: F32). Half storage needs no cl_khr_fp16: vload_half /
// vstore_half are core OpenCL C. BF16 is the high half of an F32. Quantized weights are decoded in registers by
// kernels/quant.cl (included after this file), never expanded in memory.
//
// Indices are in elements. A quantized row starts on a block boundary, so kernels find rows with W_ROW and index
// within them:
//   wtype                 element type of weight pointers (uchar for the quantized types: the blocks' bytes)
//   W_ROW(p, e)           pointer to element e of p; e a whole number of blocks for the quantized types
//   W_ROW_BYTES(n)        bytes of n elements (n whole blocks)
//   LOAD_W(p, i)          float of element i
//   LOAD_W4(p, i)         float4 of elements i..i+3, i a multiple of 4
//   LOAD_W16(p, i)        float16 of elements i..i+15, i a multiple of 16
//   LOAD_W32(p, i, lo, hi) lo, hi = float16s of elements i..i+15 and i+16..i+31, i a multiple of 32

#if defined(W_F16)
typedef half wtype;
#define LOAD_W(p, i) vload_half(0, (p) + (i))
#define LOAD_W4(p, i) vload_half4(0, (p) + (i))
#define LOAD_W16(p, i) vload_half16(0, (p) + (i))
#elif defined(W_BF16)
typedef ushort wtype;
#define LOAD_W(p, i) as_float((uint)(p)[i] << 16)
#define LOAD_W4(p, i) as_float4(convert_uint4(vload4(0, (p) + (i))) << 16)
#define LOAD_W16(p, i) as_float16(convert_uint16(vload16(0, (p) + (i))) << 16)
#elif defined(W_Q8_0) || defined(W_Q4_0) || defined(W_Q5_0) || defined(W_Q4_K) || defined(W_Q5_K) || defined(W_Q6_K)
#define W_QUANTIZED 1
typedef uchar wtype;
#else
typedef float wtype;
#define LOAD_W(p, i) ((p)[i])
#define LOAD_W4(p, i) vload4(0, (p) + (i))
#define LOAD_W16(p, i) vload16(0, (p) + (i))
#endif

// Sum of the 16 lanes of a float16 accumulator (the CPU kernels' one-AVX-512-register fma chains), halving twice and
// adding the last four in pairs.
inline float sum16(float16 v) {
    const float8 a = v.lo + v.hi;
    const float4 b = a.lo + a.hi;
    return (b.s0 + b.s1) + (b.s2 + b.s3);
}

#ifndef W_QUANTIZED   // the quantized types' W_ROW, LOAD_W* are in quant.cl
#define W_ROW(p, e) ((p) + (e))
#define W_ROW_BYTES(n) ((n) * (int) sizeof(wtype))
#define LOAD_W32(p, i, lo, hi) { lo = LOAD_W16(p, i); hi = LOAD_W16(p, (i) + 16); }
#endif

// Round-to-nearest-even float -> bf16 bits, NaN stays NaN (as backend/Precision.floatToBf16).
inline ushort float_to_bf16(float f) {
    uint bits = as_uint(f);
    if (isnan(f)) {
        return (ushort)((bits >> 16) | 0x40);
    }
    uint rounding = 0x7fffu + ((bits >> 16) & 1u);
    return (ushort)((bits + rounding) >> 16);
}

// Stores float v at element i of a weight-typed buffer, rounding to nearest even.
#if defined(W_F16)
#define STORE_W(p, i, v) vstore_half_rte((v), (i), (p))
#elif defined(W_BF16)
#define STORE_W(p, i, v) ((p)[i] = float_to_bf16(v))
#else
#define STORE_W(p, i, v) ((p)[i] = (v))
#endif

// Output row o of three matrices stacked by rows (the q, k and v projections of gemv3 and gemv_rows3): the first out0
// rows are w0's, the next out1 w1's, the rest w2's. Past out2, row is >= out and the caller computes nothing.
typedef struct {
    __global const wtype *w;
    __global float *y;
    int out;
    int row;
} stacked_row;

inline stacked_row stacked_row_of(int o, __global const wtype *w0, __global float *y0, int out0,
                                  __global const wtype *w1, __global float *y1, int out1,
                                  __global const wtype *w2, __global float *y2, int out2) {
    stacked_row r;
    if (o < out0) {
        r.w = w0; r.y = y0; r.out = out0; r.row = o;
    } else if (o < out0 + out1) {
        r.w = w1; r.y = y1; r.out = out1; r.row = o - out0;
    } else {
        r.w = w2; r.y = y2; r.out = out2; r.row = o - out0 - out1;
    }
    return r;
}
