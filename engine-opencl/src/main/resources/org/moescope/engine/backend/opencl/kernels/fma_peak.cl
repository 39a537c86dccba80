// FP32 peak probe: 8 independent FMA chains per work-item, 32 FMAs (64 FLOPs) per loop iteration, no memory
// traffic. Enough work-items hide the FMA latency on a GPU; a CPU OpenCL compiler vectorises across work-items.
// The result is kept alive by a store that runs only if it equals `never` (a runtime value).

#define FMA8 \
    a0 = fma(a0, m, c); a1 = fma(a1, m, c); a2 = fma(a2, m, c); a3 = fma(a3, m, c); \
    a4 = fma(a4, m, c); a5 = fma(a5, m, c); a6 = fma(a6, m, c); a7 = fma(a7, m, c);

__kernel void fma_peak(__global float* sink, const int iters, const float never) {
    const float m = 0.99990f;
    const float c = 1.0e-4f;
    float a0 = (float) get_global_id(0) * 1.0e-9f;
    float a1 = a0 + 0.1f, a2 = a0 + 0.2f, a3 = a0 + 0.3f, a4 = a0 + 0.4f, a5 = a0 + 0.5f, a6 = a0 + 0.6f;
    float a7 = a0 + 0.7f;
    for (int i = 0; i < iters; i++) {
        FMA8 FMA8 FMA8 FMA8
    }
    float s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7;
    if (s == never) sink[0] = s;
}
