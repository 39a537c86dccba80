package org.moescope.engine.backend.java;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.quant.BlockDequantizer;

/**
 * A {@link DeviceBuffer} of the {@link JavaBackend}. Plain types live in heap arrays: F32 as {@code float[]}, F16 and
 * BF16 as {@code short[]} bit patterns, I32 as {@code int[]}. A quantized buffer keeps its raw ggml blocks in a
 * little-endian {@link ByteBuffer} (a heap buffer, or a caller's region such as a mapped file), and {@link #get}
 * decodes through a one-block cache so that reading a row element by element decodes each block once. A buffer made
 * by {@link JavaBackend#wrapReadOnly} reads a caller's bytes in place (any weight type) and refuses writes.
 */
final class JavaBuffer implements DeviceBuffer {
    private final String name;
    private final DType dtype;
    private final int length;
    private float[] floats;
    private short[] halves;
    private int[] ints;
    /** Raw little-endian elements: every quantized buffer, and wrapped read-only ones of any weight type. */
    private ByteBuffer bytes;
    private final boolean readOnly;
    /** The decoded block {@link #cachedBlock} of a quantized buffer. */
    private float[] cache;
    private long cachedBlock = -1;
    private boolean closed;

    JavaBuffer(String name, DType dtype, int length) {
        this.name = name;
        this.dtype = dtype;
        this.length = length;
        this.readOnly = false;
        switch (dtype) {
            case F32 -> floats = new float[length];
            case F16, BF16 -> halves = new short[length];
            case I32 -> ints = new int[length];
            default -> {
                bytes = ByteBuffer.allocate(Math.toIntExact(dtype.bytesOf(length))).order(ByteOrder.LITTLE_ENDIAN);
                cache = new float[dtype.blockElements()];
            }
        }
    }

    /** Reads {@code raw} (from its position, {@code dtype.bytesOf(length)} bytes) in place; writes are refused. */
    JavaBuffer(String name, DType dtype, int length, ByteBuffer raw) {
        this.name = name;
        this.dtype = dtype;
        this.length = length;
        this.readOnly = true;
        this.bytes = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype.isQuantized()) {
            cache = new float[dtype.blockElements()];
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

    boolean isReadOnly() {
        return readOnly;
    }

    /** The raw little-endian elements (quantized or wrapped buffers; null for heap arrays); byte 0 is element 0. */
    ByteBuffer raw() {
        return bytes;
    }

    /** Byte offset of element {@code i} (a block start for a quantized buffer) in {@link #raw()}. */
    int byteOffset(long i) {
        return Math.toIntExact(dtype.bytesOf(i));
    }

    /** Element i of a float-typed or quantized buffer, widened to F32 (quantized: decoded as ggml does). */
    float get(long i) {
        int j = (int) i;
        if (dtype.isQuantized()) {
            int be = dtype.blockElements();
            long block = j / be;
            if (block != cachedBlock) {
                BlockDequantizer.dequantizeBlock(dtype, bytes, (int) (block * dtype.blockBytes()), cache, 0);
                cachedBlock = block;
            }
            return cache[j - (int) block * be];
        }
        if (bytes != null) {
            return switch (dtype) {
                case F32 -> bytes.getFloat(4 * j);
                case F16 -> Precision.f16ToFloat(bytes.getShort(2 * j));
                case BF16 -> Precision.bf16ToFloat(bytes.getShort(2 * j));
                default -> throw new IllegalStateException(name + " is " + dtype + ", not a float buffer");
            };
        }
        return switch (dtype) {
            case F32 -> floats[j];
            case F16 -> Precision.f16ToFloat(halves[j]);
            case BF16 -> Precision.bf16ToFloat(halves[j]);
            default -> throw new IllegalStateException(name + " is I32, not a float buffer");
        };
    }

    /** Stores f in element i, rounded to the buffer's dtype (round to nearest even). */
    void set(long i, float f) {
        if (bytes != null) {
            throw new IllegalStateException(name + " (" + dtype + (readOnly ? ", read-only" : "")
                    + ") is not writable element by element");
        }
        int j = (int) i;
        switch (dtype) {
            case F32 -> floats[j] = f;
            case F16 -> halves[j] = Precision.floatToF16(f);
            case BF16 -> halves[j] = Precision.floatToBf16(f);
            default -> throw new IllegalStateException(name + " is I32, not a float buffer");
        }
    }

    int getInt(long i) {
        return bytes != null ? bytes.getInt(4 * (int) i) : ints[(int) i];
    }

    void setInt(long i, int v) {
        ints[(int) i] = v;
    }

    /** Raw 16-bit pattern of element i (F16/BF16 only). */
    short getBits(long i) {
        return bytes != null ? bytes.getShort(2 * (int) i) : halves[(int) i];
    }

    /** Raw 16-bit pattern of element i (F16/BF16 only), for byte uploads. */
    void setBits(long i, short bits) {
        halves[(int) i] = bits;
    }

    /** Copies whole blocks of raw bytes into a quantized buffer at element {@code offset}. */
    void putBlocks(long offset, ByteBuffer src) {
        bytes.put(byteOffset(offset), src, src.position(), src.remaining());
        cachedBlock = -1;
    }

    /** Drops the decoded block after the raw bytes changed. */
    void invalidate() {
        cachedBlock = -1;
    }

    @Override
    public void close() {
        closed = true;
        floats = null;
        halves = null;
        ints = null;
        bytes = null;
        cache = null;
    }

    @Override
    public String toString() {
        return "JavaBuffer[" + name + ", " + dtype + ", " + length + (readOnly ? ", read-only" : "") + "]";
    }
}
