// Streaming-read probes: the device's own read bandwidth, to which the bench compares its MoE kernels.
// Work-group g reads the contiguous chunk g of the buffer, its work-items striding by the work-group size, so a
// GPU's loads coalesce and a CPU core streams one region with its prefetchers. The sum is kept alive by a store
// that runs only if it equals `never`, a runtime value the compiler cannot see (so the loads cannot be dropped).
// n counts vectors of 4 elements; the buffer is much larger than the caches (chosen by ReadBandwidthProbe).

#define CHUNK_BOUNDS(n)                                          \
    const ulong groups = get_num_groups(0);                      \
    const ulong chunk = ((n) + groups - 1) / groups;             \
    const ulong begin = get_group_id(0) * chunk;                 \
    const ulong end = min(begin + chunk, (ulong) (n));           \
    const ulong step = get_local_size(0);

#define KEEP_ALIVE(acc)                                          \
    float s = acc.x + acc.y + acc.z + acc.w;                     \
    if (s == never) sink[0] = s;

// F32 through float4 loads
__kernel void read_f32x4(__global const float4* restrict src, const ulong n, const float never,
                         __global float* sink) {
    CHUNK_BOUNDS(n)
    float4 acc = (float4) (0.0f);
    for (ulong i = begin + get_local_id(0); i < end; i += step) {
        acc += src[i];
    }
    KEEP_ALIVE(acc)
}

// F16 through vload_half4 (core OpenCL C: needs no cl_khr_fp16)
__kernel void read_f16x4(__global const half* restrict src, const ulong n, const float never,
                         __global float* sink) {
    CHUNK_BOUNDS(n)
    float4 acc = (float4) (0.0f);
    for (ulong i = begin + get_local_id(0); i < end; i += step) {
        acc += vload_half4(i, src);
    }
    KEEP_ALIVE(acc)
}

// BF16 through ushort4 loads widened to the high halves of floats, as the weight kernels convert them
__kernel void read_bf16x4(__global const ushort4* restrict src, const ulong n, const float never,
                          __global float* sink) {
    CHUNK_BOUNDS(n)
    float4 acc = (float4) (0.0f);
    for (ulong i = begin + get_local_id(0); i < end; i += step) {
        acc += as_float4(convert_uint4(src[i]) << 16);
    }
    KEEP_ALIVE(acc)
}
