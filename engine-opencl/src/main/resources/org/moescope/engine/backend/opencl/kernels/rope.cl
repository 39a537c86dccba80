// Rotary embedding in place, Hugging Face rotate_half layout, angles in F32 like HF:
// angle = position * inv_freq[i] (inv_freq = 1 / theta^(2i/d), computed once on the host),
// (x[i], x[i + d/2]) -> (x[i] cos - x[i + d/2] sin, x[i + d/2] cos + x[i] sin).
// x [tokens, heads, headDim]; global (headDim / 2, heads, tokens).

// Pair i of head h of token t of x, which has `heads` heads per token.
inline void rope_pair(__global float *x, __global const int *positions, __global const float *inv_freq, int heads,
                      int head_dim, int i, int h, int t) {
    int half_dim = head_dim / 2;
    float angle = (float)positions[t] * inv_freq[i];
    float c = cos(angle);
    float s = sin(angle);
    __global float *xh = x + ((size_t)t * heads + h) * head_dim;
    float a = xh[i];
    float b = xh[i + half_dim];
    xh[i] = a * c - b * s;
    xh[i + half_dim] = b * c + a * s;
}

__kernel void rope(__global float *x, __global const int *positions, __global const float *inv_freq, int tokens,
                   int heads, int head_dim) {
    int i = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    if (i < head_dim / 2 && h < heads && t < tokens) {
        rope_pair(x, positions, inv_freq, heads, head_dim, i, h, t);
    }
}

// q [tokens, heads, headDim] and k [tokens, kvHeads, headDim] in one launch; global (headDim / 2, heads + kvHeads,
// tokens): heads first, then the kv heads.
__kernel void rope_qk(__global float *q, __global float *k, __global const int *positions,
                      __global const float *inv_freq, int tokens, int heads, int kv_heads, int head_dim) {
    int i = get_global_id(0);
    int h = get_global_id(1);
    int t = get_global_id(2);
    if (i >= head_dim / 2 || h >= heads + kv_heads || t >= tokens) {
        return;
    }
    if (h < heads) {
        rope_pair(q, positions, inv_freq, heads, head_dim, i, h, t);
    } else {
        rope_pair(k, positions, inv_freq, kv_heads, head_dim, i, h - heads, t);
    }
}
