// Fills of weight-typed buffers (F32/F16/BF16 via -DW_*). One work-item per element, index = base + gid.

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
