package org.moescope.engine.backend.java;

import static org.moescope.engine.backend.java.BufferChecks.nonNegative;
import static org.moescope.engine.backend.java.BufferChecks.stored;
import static org.moescope.engine.backend.java.BufferChecks.writable;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.SyntheticRandom;
import org.moescope.engine.backend.quant.BlockQuantizer;
import org.moescope.engine.backend.quant.RandomBlocks;

/**
 * The byte-level memory operations of {@link JavaBackend} for every dtype: raw uploads and reads, copies and fills.
 * Quantized buffers move as whole blocks of raw bytes; float buffers element by element as before.
 */
final class JavaMemory {
    private JavaMemory() {
    }

    static void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        if (src == null) {
            throw new IllegalArgumentException("src must not be null");
        }
        if (dst == null) {
            throw new IllegalArgumentException("dst must not be null");
        }
        DType type = dst.dtype();
        int width = type.blockBytes();
        if (src.remaining() % width != 0) {
            throw new IllegalArgumentException("src: " + src.remaining() + " bytes is not a whole number of " + type
                    + (type.isQuantized() ? " blocks of " + width + " bytes" : " elements"));
        }
        long count = (long) src.remaining() / width * type.blockElements();
        ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (type.isQuantized()) {
            JavaBuffer d = writable("dst", stored("dst", dst, dstOffset, count, "src bytes / " + width + " * "
                    + type.blockElements()));
            d.putBlocks(dstOffset, le);
            return;
        }
        JavaBuffer d = writable("dst", BufferChecks.typed("dst", dst, type, dstOffset, count, "src bytes / " + width));
        for (long i = 0; i < count; i++) {
            switch (type) {
                case F32 -> d.set(dstOffset + i, le.getFloat());
                case F16, BF16 -> d.setBits(dstOffset + i, le.getShort());
                default -> d.setInt(dstOffset + i, le.getInt());
            }
        }
    }

    /** Reads {@code bytes} in place where it can (any weight type), else allocates and uploads. */
    static JavaBuffer wrap(String name, DType dtype, long length, ByteBuffer bytes) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (dtype == null || !dtype.isWeightType()) {
            throw new IllegalArgumentException("dtype: " + dtype + " is not a weight type");
        }
        BufferChecks.positive("length", length);
        if (length > JavaBackend.MAX_ELEMENTS) {
            throw new DeviceMemoryException(name, dtype.bytesOf(length), "more than " + JavaBackend.MAX_ELEMENTS
                    + " elements do not fit a Java buffer");
        }
        if (bytes == null) {
            throw new IllegalArgumentException("bytes must not be null");
        }
        long needed = dtype.bytesOf(length);
        if (bytes.remaining() != needed) {
            throw new IllegalArgumentException("bytes: " + bytes.remaining() + " bytes, but " + length + " " + dtype
                    + " elements take " + needed);
        }
        return new JavaBuffer(name, dtype, (int) length, bytes);
    }

    static float[] readFloats(DeviceBuffer src, long offset, int count) {
        nonNegative("count", count);
        JavaBuffer s = stored("src", src, offset, count, "count");
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = s.get(offset + i);
        }
        return out;
    }

    static ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        nonNegative("count", count);
        JavaBuffer s = src != null && src.dtype() == DType.I32
                ? BufferChecks.typed("src", src, DType.I32, offset, count, "count")
                : stored("src", src, offset, count, "count");
        DType type = s.dtype();
        long bytes = type.bytesOf(count);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("count: " + count + " " + type + " elements take " + bytes
                    + " bytes, more than one ByteBuffer holds");
        }
        ByteBuffer out = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (s.raw() != null) {
            out.put(0, s.raw(), s.byteOffset(offset), (int) bytes);
            return out;
        }
        for (long i = offset; i < offset + count; i++) {
            switch (type) {
                case F32 -> out.putFloat(s.get(i));
                case F16, BF16 -> out.putShort(s.getBits(i));
                default -> out.putInt(s.getInt(i));
            }
        }
        return out.flip();
    }

    static void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        nonNegative("count", count);
        JavaBuffer s = stored("src", src, srcOffset, count, "count");
        JavaBuffer d = writable("dst", BufferChecks.typed("dst", dst, s.dtype(), dstOffset, count, "count"));
        stored("dst", dst, dstOffset, count, "count");
        if (s == d && srcOffset < dstOffset + count && dstOffset < srcOffset + count) {
            throw new IllegalArgumentException("dst: range [" + dstOffset + ", " + (dstOffset + count)
                    + ") overlaps src range [" + srcOffset + ", " + (srcOffset + count) + ") of '" + s.name() + "'");
        }
        if (s.dtype().isQuantized()) {
            int from = s.byteOffset(srcOffset);
            d.putBlocks(dstOffset, s.raw().slice(from, s.byteOffset(srcOffset + count) - from));
            return;
        }
        for (long i = 0; i < count; i++) {
            if (s.dtype() == DType.F32) {
                d.set(dstOffset + i, s.get(srcOffset + i));
            } else {
                d.setBits(dstOffset + i, s.getBits(srcOffset + i));
            }
        }
    }

    static void fillRandom(DeviceBuffer dst, long seed, float scale) {
        JavaBuffer d = writable("dst", stored("dst", dst, 0, 0, "any length"));
        if (d.dtype().isQuantized()) {
            RandomBlocks.fill(d.dtype(), d.raw(), d.length() / d.dtype().blockElements(), seed, scale);
            d.invalidate();
            return;
        }
        for (long i = 0; i < d.length(); i++) {
            d.set(i, SyntheticRandom.value(i, seed, scale));
        }
    }

    static void fill(DeviceBuffer dst, float value) {
        JavaBuffer d = writable("dst", stored("dst", dst, 0, 0, "any length"));
        DType type = d.dtype();
        if (type.isQuantized()) {
            float[] constant = new float[type.blockElements()];
            java.util.Arrays.fill(constant, value);
            byte[] block = new byte[type.blockBytes()];
            BlockQuantizer.quantizeBlock(type, constant, 0, block);
            for (long b = 0; b < d.length() / type.blockElements(); b++) {
                d.raw().put(d.byteOffset(b * type.blockElements()), block);
            }
            d.invalidate();
            return;
        }
        for (long i = 0; i < d.length(); i++) {
            d.set(i, value);
        }
    }
}
