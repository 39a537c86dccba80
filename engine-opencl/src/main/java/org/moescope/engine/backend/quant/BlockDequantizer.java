package org.moescope.engine.backend.quant;

import static org.moescope.engine.backend.quant.LittleEndian.f16;
import static org.moescope.engine.backend.quant.LittleEndian.u16;
import static org.moescope.engine.backend.quant.LittleEndian.u8;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.DType;

/**
 * Decodes ggml's quantized blocks to F32 exactly as ggml's {@code dequantize_row_*} do: the same integer levels, the
 * same F16 scales and the same float operations in the same order, so every value is bit-identical to ggml's.
 *
 * <p>Blocks are read with absolute byte indices in little-endian order whatever the buffer's own byte order, and the
 * source buffer's position is never moved, so a caller may share one buffer (a heap copy or a mapped file region).
 */
public final class BlockDequantizer {
    private BlockDequantizer() {
    }

    /**
     * Decodes {@code elements} elements (whole blocks of {@code type}) from the blocks that start at
     * {@code src.position()} into {@code dst[dstOffset ..]}.
     */
    public static void dequantize(DType type, ByteBuffer src, float[] dst, int dstOffset, int elements) {
        requireQuantized(type);
        if (elements < 0 || elements % type.blockElements() != 0) {
            throw new IllegalArgumentException("elements: " + elements + " is not a whole number of " + type
                    + " blocks of " + type.blockElements());
        }
        int blocks = elements / type.blockElements();
        int at = src.position();
        for (int b = 0; b < blocks; b++) {
            dequantizeBlock(type, src, at + b * type.blockBytes(), dst, dstOffset + b * type.blockElements());
        }
    }

    /** Decodes the one block of {@code type} at byte {@code at} of {@code src} into {@code dst[dstOffset ..]}. */
    public static void dequantizeBlock(DType type, ByteBuffer src, int at, float[] dst, int dstOffset) {
        switch (type) {
            case Q8_0 -> q8_0(src, at, dst, dstOffset);
            case Q4_0 -> q4_0(src, at, dst, dstOffset);
            case Q5_0 -> q5_0(src, at, dst, dstOffset);
            case Q4_K -> q45K(src, at, dst, dstOffset, false);
            case Q5_K -> q45K(src, at, dst, dstOffset, true);
            case Q6_K -> q6K(src, at, dst, dstOffset);
            default -> requireQuantized(type);
        }
    }

    static void requireQuantized(DType type) {
        if (type == null || !type.isQuantized()) {
            throw new IllegalArgumentException("type: " + type + " is not a block-quantized type");
        }
    }

    // Q8_0: d (f16) | qs[32] int8.
    private static void q8_0(ByteBuffer b, int at, float[] y, int o) {
        float d = f16(b, at);
        for (int j = 0; j < 32; j++) {
            y[o + j] = b.get(at + 2 + j) * d;
        }
    }

    // Q4_0: d (f16) | qs[16]: low nibbles are elements 0..15, high nibbles 16..31.
    private static void q4_0(ByteBuffer b, int at, float[] y, int o) {
        float d = f16(b, at);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 2 + j);
            y[o + j] = ((q & 0x0f) - 8) * d;
            y[o + j + 16] = ((q >> 4) - 8) * d;
        }
    }

    // Q5_0: d (f16) | qh (u32 LE: bit j is the fifth bit of element j) | qs[16] as Q4_0.
    private static void q5_0(ByteBuffer b, int at, float[] y, int o) {
        float d = f16(b, at);
        int qh = u16(b, at + 2) | u16(b, at + 4) << 16;
        for (int j = 0; j < 16; j++) {
            int q = u8(b, at + 6 + j);
            int h0 = ((qh >>> j) << 4) & 0x10;
            int h1 = (qh >>> (j + 12)) & 0x10;
            y[o + j] = (((q & 0x0f) | h0) - 16) * d;
            y[o + j + 16] = (((q >> 4) | h1) - 16) * d;
        }
    }

    // Q4_K: d (f16) | dmin (f16) | scales[12] | qs[128]; 32-byte chunk c holds sub-blocks 2c (low) and 2c+1 (high).
    // Q5_K: d | dmin | scales[12] | qh[32] | qs[128]; bit 2c (low) / 2c+1 (high) of qh[l] is the fifth bit in chunk c.
    private static void q45K(ByteBuffer b, int at, float[] y, int o, boolean fifthBit) {
        float d = f16(b, at);
        float min = f16(b, at + 2);
        int scales = at + 4;
        int qh = at + 16;
        int qs = fifthBit ? at + 48 : at + 16;
        for (int c = 0; c < 4; c++) {
            float d1 = d * KScales.scale(b, scales, 2 * c);
            float m1 = min * KScales.min(b, scales, 2 * c);
            float d2 = d * KScales.scale(b, scales, 2 * c + 1);
            float m2 = min * KScales.min(b, scales, 2 * c + 1);
            int base = o + 64 * c;
            for (int l = 0; l < 32; l++) {
                int q = u8(b, qs + 32 * c + l);
                int h = fifthBit ? u8(b, qh + l) : 0;
                y[base + l] = d1 * ((q & 0x0f) + ((h >> (2 * c)) & 1) * 16) - m1;
                y[base + 32 + l] = d2 * ((q >> 4) + ((h >> (2 * c + 1)) & 1) * 16) - m2;
            }
        }
    }

    // Q6_K: ql[128] | qh[64] | scales[16] int8 | d (f16). Each half of 128 elements uses 64 ql, 32 qh and 8 scales:
    // element l + 32i (i < 4) takes a nibble of ql and 2 bits of qh[l], and scale 16-element group l/16 + 2i.
    private static void q6K(ByteBuffer b, int at, float[] y, int o) {
        float d = f16(b, at + 208);
        for (int half = 0; half < 2; half++) {
            int ql = at + 64 * half;
            int qh = at + 128 + 32 * half;
            int sc = at + 192 + 8 * half;
            int base = o + 128 * half;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int lo = u8(b, ql + l);
                int hi = u8(b, ql + l + 32);
                int h = u8(b, qh + l);
                int q1 = ((lo & 0x0f) | ((h & 3) << 4)) - 32;
                int q2 = ((hi & 0x0f) | (((h >> 2) & 3) << 4)) - 32;
                int q3 = ((lo >> 4) | (((h >> 4) & 3) << 4)) - 32;
                int q4 = ((hi >> 4) | (((h >> 6) & 3) << 4)) - 32;
                y[base + l] = d * b.get(sc + is) * q1;
                y[base + l + 32] = d * b.get(sc + is + 2) * q2;
                y[base + l + 64] = d * b.get(sc + is + 4) * q3;
                y[base + l + 96] = d * b.get(sc + is + 6) * q4;
            }
        }
    }
}
