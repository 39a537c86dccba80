// FP32 peak probe: 8 independent FMA chains per work-item on vectors of VEC floats, 32 vector FMAs per loop
// iteration, no memory traffic. VEC = 1 on GPUs (many work-items hide the FMA latency); on CPUs VEC = 16 fills a
// 512-bit register, since a CPU OpenCL does not vectorise across work-items through a loop.
// The result is kept alive by a store that runs only if it equals `never` (a runtime value).

#ifndef VEC
#define VEC 1
#endif
#if VEC == 1
typedef float vec;
#define SUM(v) (v)
#elif VEC == 16
typedef float16 vec;
#define SUM(v) (dot((v).lo.lo, (float4) (1.0f)) + dot((v).lo.hi, (float4) (1.0f)) + dot((v).hi.lo, (float4) (1.0f)) \
                + dot((v).hi.hi, (float4) (1.0f)))
#else
#error "VEC must be 1 or 16"
#endif

#define FMA8 \
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c); \
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);

__kernel void fma_peak(__global float* sink, const int iters, const float never) {
    const vec m = (vec) (0.99990f);
    const vec c = (vec) (1.0e-4f);
    vec a0 = (vec) ((float) get_global_id(0) * 1.0e-9f);
    vec a1 = a0 + 0.1f, a2 = a0 + 0.2f, a3 = a0 + 0.3f, a4 = a0 + 0.4f, a5 = a0 + 0.5f, a6 = a0 + 0.6f;
    vec a7 = a0 + 0.7f;
    for (int i = 0; i < iters; i++) {
        FMA8 FMA8 FMA8 FMA8
    }
    float s = SUM(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
    if (s == never) sink[0] = s;
}
