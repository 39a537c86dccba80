// Streaming-read probes: the device's own read bandwidth, to which the bench compares its MoE kernels.
// n counts vectors (see below); the buffer is much larger than the caches (chosen by ReadBandwidthProbe).
// The sum is kept alive by a store that runs only if it equals `never`, a runtime value the compiler cannot see,
// so the loads cannot be dropped.
//
// Two access patterns, chosen by ReadBandwidthProbe per device type:
//   GPU (CONTIGUOUS_ITEMS undefined): work-group g reads chunk g, its work-items striding by the work-group size, so
//       neighbouring work-items load neighbouring vectors (coalesced).
//   CPU (CONTIGUOUS_ITEMS defined): each work-item streams its own contiguous chunk, the pattern a CPU core and its
//       prefetchers read fastest (a CPU OpenCL runs a work-group's items one after another on one core), into four
//       independent accumulators so that the loop is bound by the loads and not by the latency of one add chain.

#ifdef CONTIGUOUS_ITEMS
#define BOUNDS(n)                                                \
    const ulong parts = get_global_size(0);                      \
    const ulong chunk = ((n) + parts - 1) / parts;               \
    const ulong begin = get_global_id(0) * chunk;                \
    const ulong end = min(begin + chunk, (ulong) (n));           \
    const ulong first = begin;                                   \
    const ulong step = 1;
#define UNROLL 4
#else
#define BOUNDS(n)                                                \
    const ulong parts = get_num_groups(0);                       \
    const ulong chunk = ((n) + parts - 1) / parts;               \
    const ulong begin = get_group_id(0) * chunk;                 \
    const ulong end = min(begin + chunk, (ulong) (n));           \
    const ulong first = begin + get_local_id(0);                 \
    const ulong step = get_local_size(0);
#define UNROLL 1
#endif

// Vector width: 4 on GPUs; 16 on CPUs (-DWIDE_VECTORS), one AVX-512 register per load, because POCL converts a
// 4-wide vload_half4 per instruction and a 4-wide F16 read measured the conversion (23 GB/s) instead of the memory.
#ifdef WIDE_VECTORS
typedef float16 accv;
typedef float16 f32v;
typedef ushort16 u16v;
#define LOAD_HALF_V(i, p) vload_half16((i), (p))
#define WIDEN_BF16(v) as_float16(convert_uint16(v) << 16)
#define HSUM(a) ({ const float8 h8 = (a).lo + (a).hi; const float4 h4 = h8.lo + h8.hi; (h4.x + h4.y) + (h4.z + h4.w); })
#else
typedef float4 accv;
typedef float4 f32v;
typedef ushort4 u16v;
#define LOAD_HALF_V(i, p) vload_half4((i), (p))
#define WIDEN_BF16(v) as_float4(convert_uint4(v) << 16)
#define HSUM(a) ((a).x + (a).y + (a).z + (a).w)
#endif

// One load per accumulator per iteration; the tail (fewer than UNROLL vectors) goes into the first accumulator.
#define READ_LOOP(LOAD)                                          \
    accv acc0 = (accv) (0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0; \
    ulong i = first;                                             \
    if (UNROLL == 4) {                                           \
        for (; i + 3 < end; i += 4) {                            \
            acc0 += LOAD(i);                                     \
            acc1 += LOAD(i + 1);                                 \
            acc2 += LOAD(i + 2);                                 \
            acc3 += LOAD(i + 3);                                 \
        }                                                        \
        for (; i < end; i++) {                                   \
            acc0 += LOAD(i);                                     \
        }                                                        \
    } else {                                                     \
        for (; i < end; i += step) {                             \
            acc0 += LOAD(i);                                     \
        }                                                        \
    }                                                            \
    accv acc = acc0 + acc1 + acc2 + acc3;                        \
    float s = HSUM(acc);                                         \
    if (s == never) sink[0] = s;

// n counts vectors (4 or 16 elements, as above).

// F32 through float vector loads
__kernel void read_f32(__global const f32v* restrict src, const ulong n, const float never, __global float* sink) {
    BOUNDS(n)
#define LOAD_F32(i) src[i]
    READ_LOOP(LOAD_F32)
}

// F16 through vload_half4 / vload_half16 (core OpenCL C: needs no cl_khr_fp16)
__kernel void read_f16(__global const half* restrict src, const ulong n, const float never, __global float* sink) {
    BOUNDS(n)
#define LOAD_F16(i) LOAD_HALF_V(i, src)
    READ_LOOP(LOAD_F16)
}

// BF16 through ushort vector loads widened to the high halves of floats, as the weight kernels convert them
__kernel void read_bf16(__global const u16v* restrict src, const ulong n, const float never, __global float* sink) {
    BOUNDS(n)
#define LOAD_BF16(i) WIDEN_BF16(src[i])
    READ_LOOP(LOAD_BF16)
}
