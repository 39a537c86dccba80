package org.moescope.engine.backend.java;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/**
 * Argument checks of the {@link JavaBackend}: each failure is an {@link IllegalArgumentException} whose message
 * starts with the parameter name, then says what was expected and what was given.
 */
final class BufferChecks {
    private BufferChecks() {
    }

    static void positive(String param, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(param + " must be > 0, got " + value);
        }
    }

    static void nonNegative(String param, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(param + " must be >= 0, got " + value);
        }
    }

    /** k in [1, experts]. */
    static void topK(int k, int experts) {
        positive("experts", experts);
        if (k <= 0 || k > experts) {
            throw new IllegalArgumentException("k must be in [1, experts=" + experts + "], got " + k);
        }
    }

    /** A live buffer of this backend of a float dtype (F32, F16, BF16) holding {@code needed} elements from {@code offset}. */
    static JavaBuffer anyFloat(String param, DeviceBuffer b, long offset, long needed, String shape) {
        JavaBuffer j = live(param, b);
        if (j.dtype() == DType.I32 || j.dtype().isQuantized()) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is " + j.dtype()
                    + ", expected F32, F16 or BF16");
        }
        return sized(param, j, offset, needed, shape);
    }

    /**
     * A live buffer of any weight dtype (float or quantized) holding {@code count} elements from {@code offset}; for a
     * quantized buffer offset and count must be whole blocks.
     */
    static JavaBuffer stored(String param, DeviceBuffer b, long offset, long count, String shape) {
        JavaBuffer j = live(param, b);
        if (j.dtype() == DType.I32) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is I32, expected a float or"
                    + " quantized type");
        }
        sized(param, j, offset, count, shape);
        int block = j.dtype().blockElements();
        if (offset % block != 0 || count % block != 0) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is " + j.dtype() + ": offset "
                    + offset + " and count " + count + " must be whole blocks of " + block + " elements");
        }
        return j;
    }

    /**
     * A weight matrix read row by row: any float or quantized dtype with {@code needed} elements; a quantized weight's
     * rows of {@code width} elements ({@code widthName}) must be whole blocks, so that every row starts a block.
     */
    static JavaBuffer weight(String param, DeviceBuffer b, long needed, String shape, int width, String widthName) {
        JavaBuffer j = live(param, b);
        if (j.dtype() == DType.I32) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is I32, expected a float or"
                    + " quantized weight type");
        }
        int block = j.dtype().blockElements();
        if (width % block != 0) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is " + j.dtype() + ", whose rows of "
                    + widthName + " = " + width + " elements are not a whole number of " + block + "-element blocks");
        }
        return sized(param, j, 0, needed, shape);
    }

    /** A buffer the operation writes: not one that reads a caller's bytes in place. */
    static JavaBuffer writable(String param, JavaBuffer j) {
        if (j.isReadOnly()) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is read-only (it reads a caller's"
                    + " bytes in place)");
        }
        return j;
    }

    static JavaBuffer anyFloat(String param, DeviceBuffer b, long needed, String shape) {
        return anyFloat(param, b, 0, needed, shape);
    }

    /** A live F32 buffer (activations) with at least {@code needed} elements. */
    static JavaBuffer f32(String param, DeviceBuffer b, long needed, String shape) {
        return typed(param, b, DType.F32, 0, needed, shape);
    }

    /** A live I32 buffer with at least {@code needed} elements. */
    static JavaBuffer i32(String param, DeviceBuffer b, long needed, String shape) {
        return typed(param, b, DType.I32, 0, needed, shape);
    }

    static JavaBuffer typed(String param, DeviceBuffer b, DType dtype, long offset, long needed, String shape) {
        JavaBuffer j = live(param, b);
        if (j.dtype() != dtype) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is " + j.dtype() + ", expected " + dtype);
        }
        return sized(param, j, offset, needed, shape);
    }

    /** Outputs that a parallel kernel would race on must not be the same buffer as an input. */
    static void distinct(String outParam, DeviceBuffer out, String inParam, DeviceBuffer in) {
        if (out == in) {
            throw new IllegalArgumentException(outParam + " must not be the same buffer as " + inParam
                    + " ('" + out.name() + "')");
        }
    }

    private static JavaBuffer live(String param, DeviceBuffer b) {
        if (b == null) {
            throw new IllegalArgumentException(param + " must not be null");
        }
        if (!(b instanceof JavaBuffer j)) {
            throw new IllegalArgumentException(param + ": buffer '" + b.name() + "' belongs to another backend ("
                    + b.getClass().getSimpleName() + ")");
        }
        if (j.isClosed()) {
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' is closed");
        }
        return j;
    }

    private static JavaBuffer sized(String param, JavaBuffer j, long offset, long needed, String shape) {
        nonNegative(param + " offset", offset);
        if (offset + needed > j.length()) {
            String where = offset == 0 ? "" : " from offset " + offset;
            throw new IllegalArgumentException(param + ": buffer '" + j.name() + "' has " + j.length()
                    + " elements, needs " + needed + where + " (" + shape + ")");
        }
        return j;
    }
}
