package org.moescope.engine.backend;

/** Conversions between F32 and the 16-bit weight formats, as the kernels do them. */
public final class Precision {
    private Precision() {
    }

    /** BF16 bits to float: the bits are the high half of an F32. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Float to BF16 bits, round to nearest even (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }

    /** Rounds f to what a buffer of {@code dtype} stores. */
    public static float roundTo(DType dtype, float f) {
        return switch (dtype) {
            case F32 -> f;
            case F16 -> f16ToFloat(floatToF16(f));
            case BF16 -> bf16ToFloat(floatToBf16(f));
            case I32 -> throw new IllegalArgumentException("dtype: I32 is not a float type");
            default -> throw new IllegalArgumentException("dtype: " + dtype + " is block-quantized, not a float type");
        };
    }
}
