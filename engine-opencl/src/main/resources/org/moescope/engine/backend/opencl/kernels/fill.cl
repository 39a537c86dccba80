// Fills of weight-typed buffers (the type via -DW_*, common.cl). Float types: one work-item per element; quantized
// types: one work-item per block.

// backend/SyntheticRandom.hash: 32-bit operations only, identical to the Java reference bit for bit.
inline uint synthetic_hash(ulong index, ulong seed) {
    uint h = (uint)index ^ ((uint)(index >> 32) * 0x27d4eb2du);
    h ^= (uint)seed * 0x9E3779B1u;
    h ^= (uint)(seed >> 32) * 0x85EBCA77u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

#ifdef W_QUANTIZED
// backend/quant/RandomBlocks: block `index` of a randomly filled buffer. Every byte j of the buffer is byte j & 3 of
// hash(j >> 2, seed); then the block's f16 scale fields are the host's base patterns dBits, dminBits lowered by
// r = (random byte at d) & 0x3f (when above 0x3f), and the K-quants' sub-scales are made valid: Q4_K / Q5_K scale and
// min 32 | (v & 31) of the random byte v at scales[j], packed as get_scale_min_k4 reads them; Q6_K group scales
// 32 | (v & 31), negated when bit 7 of v is set. Integer operations only.
__kernel void fill_random_blocks(__global uchar* dst, ulong blocks, ulong seed, int dBits, int dminBits) {
    const ulong index = get_global_id(0);
    if (index >= blocks) {
        return;
    }
    __global uchar* b = dst + index * W_BLOCK_BYTES;
    const ulong first = index * W_BLOCK_BYTES;
    for (int k = 0; k < W_BLOCK_BYTES; k++) {
        const ulong j = first + k;
        b[k] = (uchar) (synthetic_hash(j >> 2, seed) >> (8 * (uint) (j & 3)));
    }
#if defined(W_Q6_K)
    const int dAt = 208;
#else
    const int dAt = 0;
#endif
    const int r = b[dAt] & 0x3f;
    const int d = dBits > 0x3f ? dBits - r : dBits;
    b[dAt] = (uchar) d;
    b[dAt + 1] = (uchar) (d >> 8);
#if defined(W_Q4_K) || defined(W_Q5_K)
    const int dmin = dminBits > 0x3f ? dminBits - r : dminBits;
    b[2] = (uchar) dmin;
    b[3] = (uchar) (dmin >> 8);
    uchar s[8];
    for (int j = 0; j < 8; j++) {
        s[j] = 32 | (b[4 + j] & 31);
    }
    uchar packed[12];
    for (int j = 0; j < 4; j++) {
        packed[j] = s[j] | ((s[j + 4] >> 4) << 6);       // scale j, top bits of scale j + 4
        packed[j + 4] = s[j] | ((s[j + 4] >> 4) << 6);   // min j (= scale j), top bits of min j + 4
        packed[j + 8] = (s[j + 4] & 15) | ((s[j + 4] & 15) << 4);
    }
    for (int k = 0; k < 12; k++) {
        b[4 + k] = packed[k];
    }
#elif defined(W_Q6_K)
    for (int i = 0; i < 16; i++) {
        const uchar v = b[192 + i];
        const int mag = 32 | (v & 31);
        b[192 + i] = (uchar) ((v & 0x80) ? -mag : mag);
    }
#endif
}
#else
// dst[i] = (2u - 1) * scale with u = (hash >> 8) / 2^24, rounded to the buffer's dtype.
__kernel void fill_random(__global wtype *dst, ulong n, ulong seed, float scale) {
    ulong i = get_global_id(0);
    if (i >= n) {
        return;
    }
    float u = (float)(synthetic_hash(i, seed) >> 8) * (1.0f / 16777216.0f);
    STORE_W(dst, i, (2.0f * u - 1.0f) * scale);
}

__kernel void fill_value(__global wtype *dst, ulong n, float value) {
    ulong i = get_global_id(0);
    if (i < n) {
        STORE_W(dst, i, value);
    }
}
#endif
