package org.moescope.engine.backend.quant;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.DType;

/**
 * F32 to ggml's quantized blocks, as ggml's reference quantizers {@code quantize_row_*_ref} (what
 * {@code ggml_quantize_chunk} runs without an importance matrix): the same level choice and scale search, with F16
 * scales rounded to nearest even. Used to write GGUF files, to fill quantized buffers with a constant, and (Q8_0) to
 * quantize activations.
 */
public final class BlockQuantizer {
    private BlockQuantizer() {
    }

    /**
     * Quantizes {@code elements} values (whole blocks) from {@code x[xOffset ..]} into the blocks starting at byte
     * {@code dstAt} of {@code dst} (absolute; the buffer's position is not moved).
     */
    public static void quantize(DType type, float[] x, int xOffset, int elements, ByteBuffer dst, int dstAt) {
        BlockDequantizer.requireQuantized(type);
        if (elements < 0 || elements % type.blockElements() != 0) {
            throw new IllegalArgumentException("elements: " + elements + " is not a whole number of " + type
                    + " blocks of " + type.blockElements());
        }
        byte[] block = new byte[type.blockBytes()];
        for (int b = 0; b < elements / type.blockElements(); b++) {
            quantizeBlock(type, x, xOffset + b * type.blockElements(), block);
            dst.put(dstAt + b * type.blockBytes(), block);
        }
    }

    /** One block of {@code type} from {@code x[xOffset ..]} into {@code out} ({@link DType#blockBytes()} bytes). */
    public static void quantizeBlock(DType type, float[] x, int xOffset, byte[] out) {
        java.util.Arrays.fill(out, (byte) 0);
        switch (type) {
            case Q8_0 -> q8_0(x, xOffset, out);
            case Q4_0 -> q4_0(x, xOffset, out);
            case Q5_0 -> q5_0(x, xOffset, out);
            case Q4_K -> KQuantizer.q4K(x, xOffset, out);
            case Q5_K -> KQuantizer.q5K(x, xOffset, out);
            case Q6_K -> KQuantizer.q6K(x, xOffset, out);
            default -> BlockDequantizer.requireQuantized(type);
        }
    }

    /** F32 to F16 bits, round to nearest even (ggml's GGML_FP32_TO_FP16). */
    static int f16Bits(float f) {
        return Float.floatToFloat16(f) & 0xffff;
    }

    static float f16Value(int bits) {
        return Float.float16ToFloat((short) bits);
    }

    // d = max|x| / 127, q = roundf(x / d) (ties away from zero).
    private static void q8_0(float[] x, int o, byte[] out) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[o + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putU16(out, 0, f16Bits(d));
        for (int j = 0; j < 32; j++) {
            out[2 + j] = (byte) (int) ScaleSearch.roundHalfAway(x[o + j] * id);
        }
    }

    // d = (the value of largest magnitude) / -8, so that value maps to level 0; q = min(15, trunc(x / d + 8.5)).
    private static void q4_0(float[] x, int o, byte[] out) {
        float max = signedMax(x, o, 32);
        float d = max / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putU16(out, 0, f16Bits(d));
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(15, (int) (x[o + j] * id + 8.5f));
            int q1 = Math.min(15, (int) (x[o + 16 + j] * id + 8.5f));
            out[2 + j] = (byte) (q0 | q1 << 4);
        }
    }

    // As Q4_0 with 5-bit levels: d = max / -16, q = min(31, trunc(x / d + 16.5)); fifth bits in a u32.
    private static void q5_0(float[] x, int o, byte[] out) {
        float max = signedMax(x, o, 32);
        float d = max / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        LittleEndian.putU16(out, 0, f16Bits(d));
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (int) (x[o + j] * id + 16.5f));
            int q1 = Math.min(31, (int) (x[o + 16 + j] * id + 16.5f));
            out[6 + j] = (byte) ((q0 & 0x0f) | (q1 & 0x0f) << 4);
            qh |= ((q0 & 0x10) >> 4) << j;
            qh |= ((q1 & 0x10) >> 4) << (j + 16);
        }
        LittleEndian.putU16(out, 2, qh);
        LittleEndian.putU16(out, 4, qh >>> 16);
    }

    /** The value of largest magnitude among {@code n} values (the first one on ties), 0 if all are 0. */
    private static float signedMax(float[] x, int o, int n) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < n; j++) {
            float v = x[o + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }
}
