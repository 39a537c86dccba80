package org.moescope.engine.backend;

import java.util.Locale;

/**
 * Element types of device buffers. Weights keep their stored type (a checkpoint's float width or a GGUF file's block
 * quantization); activations are F32.
 *
 * <p>The quantized types are ggml's blocks, stored byte for byte as ggml lays them out: a block of
 * {@link #blockElements()} consecutive elements of a row takes {@link #blockBytes()} bytes. A quantized buffer's
 * length (in elements) is a multiple of its block, and so is every row of a quantized weight matrix, so each row
 * starts on a block boundary. Lengths and offsets stay in elements for every type; {@link #bytesOf(long)} gives bytes.
 */
public enum DType {
    F32(1, 4), F16(1, 2), BF16(1, 2), I32(1, 4),
    /** 32 weights: f16 scale d, 32 x int8 q; w = d * q. */
    Q8_0(32, 34),
    /** 32 weights: f16 d, 16 bytes of nibbles (low nibbles are weights 0..15, high 16..31); w = d * (q - 8). */
    Q4_0(32, 18),
    /** 32 weights: f16 d, 4 bytes of fifth bits, 16 bytes of nibbles; w = d * (q - 16). */
    Q5_0(32, 22),
    /** 256 weights: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins for 8 sub-blocks of 32, 128 bytes of nibbles. */
    Q4_K(256, 144),
    /** 256 weights: as Q4_K plus 32 bytes of fifth bits. */
    Q5_K(256, 176),
    /** 256 weights: 128 bytes of low nibbles, 64 bytes of high 2 bits, 16 int8 scales, f16 d; w = d * sc * (q - 32). */
    Q6_K(256, 210);

    private final int blockElements;
    private final int blockBytes;

    DType(int blockElements, int blockBytes) {
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
    }

    /** Bytes per element of a plain type; a quantized type has no per-element width (use {@link #bytesOf}). */
    public int bytes() {
        if (isQuantized()) {
            throw new UnsupportedOperationException(this + " is block-quantized: use bytesOf(elements)");
        }
        return blockBytes;
    }

    /** Bytes that {@code elements} elements take; for a quantized type {@code elements} is a multiple of the block. */
    public long bytesOf(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(elements + " elements are not a whole number of " + this + " blocks of "
                    + blockElements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    /** Elements per block: 1 for the plain types, 32 or 256 for the quantized ones. */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes per block (per element for the plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean isQuantized() {
        return blockElements > 1;
    }

    /** Whether a weight may have this type: every type but I32. */
    public boolean isWeightType() {
        return this != I32;
    }

    /** Average bits per weight (8.5 for Q8_0, 4.5 for Q4_K, 16 for BF16), for reports. */
    public double bitsPerElement() {
        return 8.0 * blockBytes / blockElements;
    }

    /**
     * Parses a safetensors / config / CLI dtype name ("F32", "float16", "bfloat16", "Q8_0", "q4_k", ...).
     * Throws IllegalArgumentException listing the supported names.
     */
    public static DType parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "f32", "float32", "float" -> F32;
            case "f16", "float16", "half" -> F16;
            case "bf16", "bfloat16" -> BF16;
            case "i32", "int32" -> I32;
            case "q8_0" -> Q8_0;
            case "q4_0" -> Q4_0;
            case "q5_0" -> Q5_0;
            case "q4_k" -> Q4_K;
            case "q5_k" -> Q5_K;
            case "q6_k" -> Q6_K;
            default -> throw new IllegalArgumentException("unsupported dtype '" + name
                    + "' (supported: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K)");
        };
    }
}
