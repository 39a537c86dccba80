// Streaming-read probes: the device's own read bandwidth, to which the bench compares its MoE kernels.
// n counts vectors of 4 elements; the buffer is much larger than the caches (chosen by ReadBandwidthProbe).
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

// One load per accumulator per iteration; the tail (fewer than UNROLL vectors) goes into the first accumulator.
#define READ_LOOP(LOAD)                                          \
    float4 acc0 = (float4) (0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0; \
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
    float4 acc = acc0 + acc1 + acc2 + acc3;                      \
    float s = acc.x + acc.y + acc.z + acc.w;                     \
    if (s == never) sink[0] = s;

// F32 through float4 loads
__kernel void read_f32x4(__global const float4* restrict src, const ulong n, const float never,
                         __global float* sink) {
    BOUNDS(n)
#define LOAD_F32(i) src[i]
    READ_LOOP(LOAD_F32)
}

// F16 through vload_half4 (core OpenCL C: needs no cl_khr_fp16)
__kernel void read_f16x4(__global const half* restrict src, const ulong n, const float never,
                         __global float* sink) {
    BOUNDS(n)
#define LOAD_F16(i) vload_half4(i, src)
    READ_LOOP(LOAD_F16)
}

// BF16 through ushort4 loads widened to the high halves of floats, as the weight kernels convert them
__kernel void read_bf16x4(__global const ushort4* restrict src, const ulong n, const float never,
                          __global float* sink) {
    BOUNDS(n)
#define LOAD_BF16(i) as_float4(convert_uint4(src[i]) << 16)
    READ_LOOP(LOAD_BF16)
}
