package org.moescope.engine.backend;

/**
 * The hash behind {@link Backend#fillRandom}: 32-bit operations only, so an OpenCL kernel reproduces it bit for bit
 * (see kernels/fill.cl). Synthetic models use it to make the same weights on every device without a host copy.
 */
public final class SyntheticRandom {
    private SyntheticRandom() {
    }

    /** A 32-bit hash of (index, seed): murmur3's fmix32 over a mix of both halves of each. */
    public static int hash(long index, long seed) {
        int h = (int) index ^ ((int) (index >>> 32) * 0x27d4eb2d);
        h ^= (int) seed * 0x9E3779B1;
        h ^= (int) (seed >>> 32) * 0x85EBCA77;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    /** The value of element {@code index}, before rounding to the buffer's dtype. */
    public static float value(long index, long seed, float scale) {
        float u = (hash(index, seed) >>> 8) * (1.0f / 16777216.0f);
        return (2.0f * u - 1.0f) * scale;
    }
}
