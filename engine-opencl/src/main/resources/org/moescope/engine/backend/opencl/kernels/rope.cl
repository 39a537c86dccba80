// Rotary embedding in place, Hugging Face rotate_half layout, angles in F32 like HF:
// angle = position * inv_freq[i] (inv_freq = 1 / theta^(2i/d), computed once on the host),
// (x[i], x[i + d/2]) -> (x[i] cos - x[i + d/2] sin, x[i + d/2] cos + x[i] sin).
// x [tokens, heads, headDim]; global (headDim / 2, heads, tokens).
__kernel void rope(__global float *x, __global const int *positions, __global const float *inv_freq, int tokens,
                   int heads, int head_dim) {
    int i = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    int half_dim = head_dim / 2;
    if (i >= half_dim || h >= heads || t >= tokens) {
        return;
    }
    float angle = (float)positions[t] * inv_freq[i];
    float c = cos(angle);
    float s = sin(angle);
    __global float *xh = x + ((size_t)t * heads + h) * head_dim;
    float a = xh[i];
    float b = xh[i + half_dim];
    xh[i] = a * c - b * s;
    xh[i + half_dim] = b * c + a * s;
}
