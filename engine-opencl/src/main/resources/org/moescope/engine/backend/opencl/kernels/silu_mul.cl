// out = silu(gate) * up over n elements, silu(x) = x / (1 + exp(-x)).
__kernel void silu_mul(__global const float *gate, __global const float *up, __global float *out, int n) {
    int i = get_global_id(0);
    if (i < n) {
        float g = gate[i];
        out[i] = g / (1.0f + exp(-g)) * up[i];
    }
}
