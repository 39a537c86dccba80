package org.moescope.engine.model.gguf;

/**
 * The type of a GGUF metadata value ({@code enum gguf_type}), with the size of one value in the file: fixed for the
 * numbers and bool, 0 for a string (u64 length + bytes) and an array (u32 element type, u64 count, elements).
 */
public enum GgufValueType {
    UINT8(0, 1), INT8(1, 1), UINT16(2, 2), INT16(3, 2), UINT32(4, 4), INT32(5, 4), FLOAT32(6, 4), BOOL(7, 1),
    STRING(8, 0), ARRAY(9, 0), UINT64(10, 8), INT64(11, 8), FLOAT64(12, 8);

    private final int id;
    private final int fixedBytes;

    GgufValueType(int id, int fixedBytes) {
        this.id = id;
        this.fixedBytes = fixedBytes;
    }

    public int id() {
        return id;
    }

    /** Bytes of one value of a fixed-size type; 0 for STRING and ARRAY. */
    int fixedBytes() {
        return fixedBytes;
    }

    /** The fewest bytes one value can take in a file: a string's length field, an array's type and count. */
    int minimumBytes() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> fixedBytes;
        };
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with id {@code id}, or null when there is none. */
    static GgufValueType ofId(long id) {
        for (GgufValueType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        return null;
    }
}
