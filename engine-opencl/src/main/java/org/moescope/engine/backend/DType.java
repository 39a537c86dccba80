package org.moescope.engine.backend;

/** Element types of device buffers. Weights keep their checkpoint width; activations are F32. */
public enum DType {
    F32(4), F16(2), BF16(2), I32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Parses a safetensors / config dtype name ("F32", "float16", "bfloat16", ...). */
    public static DType parse(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32", "float" -> F32;
            case "f16", "float16", "half" -> F16;
            case "bf16", "bfloat16" -> BF16;
            case "i32", "int32" -> I32;
            default -> throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: F32, F16, BF16)");
        };
    }
}
