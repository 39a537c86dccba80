package org.moescope.engine.backend.java;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;

/**
 * A {@link DeviceBuffer} of the {@link JavaBackend} in heap arrays: F32 as {@code float[]}, F16 and BF16 as
 * {@code short[]} bit patterns, I32 as {@code int[]}. Element access goes through {@link #get}/{@link #set}, which
 * convert 16-bit formats exactly as the kernels do.
 */
final class JavaBuffer implements DeviceBuffer {
    private final String name;
    private final DType dtype;
    private final int length;
    private float[] floats;
    private short[] halves;
    private int[] ints;
    private boolean closed;

    JavaBuffer(String name, DType dtype, int length) {
        this.name = name;
        this.dtype = dtype;
        this.length = length;
        switch (dtype) {
            case F32 -> floats = new float[length];
            case F16, BF16 -> halves = new short[length];
            case I32 -> ints = new int[length];
            default -> throw new IllegalArgumentException(dtype + " buffers are not supported yet");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long length() {
        return length;
    }

    boolean isClosed() {
        return closed;
    }

    /** Element i of a float-typed buffer, widened to F32. */
    float get(long i) {
        int j = (int) i;
        return switch (dtype) {
            case F32 -> floats[j];
            case F16 -> Precision.f16ToFloat(halves[j]);
            case BF16 -> Precision.bf16ToFloat(halves[j]);
            case I32 -> throw new IllegalStateException(name + " is I32, not a float buffer");
            default -> throw new IllegalStateException(name + " is " + dtype + ", not yet readable");
        };
    }

    /** Stores f in element i, rounded to the buffer's dtype (round to nearest even). */
    void set(long i, float f) {
        int j = (int) i;
        switch (dtype) {
            case F32 -> floats[j] = f;
            case F16 -> halves[j] = Precision.floatToF16(f);
            case BF16 -> halves[j] = Precision.floatToBf16(f);
            case I32 -> throw new IllegalStateException(name + " is I32, not a float buffer");
            default -> throw new IllegalStateException(name + " is " + dtype + ", not writable element by element");
        }
    }

    int getInt(long i) {
        return ints[(int) i];
    }

    void setInt(long i, int v) {
        ints[(int) i] = v;
    }

    /** Raw 16-bit pattern of element i (F16/BF16 only). */
    short getBits(long i) {
        return halves[(int) i];
    }

    /** Raw 16-bit pattern of element i (F16/BF16 only), for byte uploads. */
    void setBits(long i, short bits) {
        halves[(int) i] = bits;
    }

    @Override
    public void close() {
        closed = true;
        floats = null;
        halves = null;
        ints = null;
    }

    @Override
    public String toString() {
        return "JavaBuffer[" + name + ", " + dtype + ", " + length + "]";
    }
}
