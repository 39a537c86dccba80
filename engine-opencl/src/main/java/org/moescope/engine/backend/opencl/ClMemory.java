package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import org.jocl.Pointer;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.MemoryBudget;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.quant.BlockDequantizer;
import org.moescope.engine.backend.quant.BlockQuantizer;

/**
 * Buffers and transfers: allocation with up-front memory checks, uploads, typed writes and reads, copies and fills.
 * Writes are blocking (the host array may be reused at once); reads wait for pending work.
 */
final class ClMemory {
    private final KernelLauncher launcher;
    private final ClRuntime runtime;
    private final MemoryBudget budget;
    private long allocatedBytes;

    ClMemory(KernelLauncher launcher) {
        this(launcher, launcher.runtime().info().memoryBudget());
    }

    /** With another memory budget (tests: one far below the device's). */
    ClMemory(KernelLauncher launcher, MemoryBudget budget) {
        this.launcher = launcher;
        this.runtime = launcher.runtime();
        this.budget = budget;
    }

    /** Bytes held by open buffers of this backend. */
    long allocatedBytes() {
        return allocatedBytes;
    }

    ClBuffer allocate(String name, DType dtype, long length) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is empty");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype is null");
        }
        KernelLauncher.nonNegative(length, "length");
        long bytes = dtype.bytesOf(length);
        long maxAlloc = runtime.info().maxAllocBytes();
        if (bytes > maxAlloc) {
            throw new DeviceMemoryException(name, bytes, String.format(Locale.ROOT,
                    "larger than the device's largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE %,d bytes) on %s",
                    maxAlloc, runtime.info().name()));
        }
        if (!budget.fits(allocatedBytes + bytes)) {
            throw new DeviceMemoryException(name, bytes, String.format(Locale.ROOT,
                    "%,d bytes already allocated of a budget of %,d bytes: %s",
                    allocatedBytes, budget.bytes(), budget.source()));
        }
        long deviceBytes = Math.max(bytes, 4);
        int[] rc = new int[1];
        cl_mem mem = clCreateBuffer(runtime.context(), CL_MEM_READ_WRITE, deviceBytes, null, rc);
        if (rc[0] != CL_SUCCESS) {
            throw memoryFailure(name, bytes, "clCreateBuffer", rc[0]);
        }
        // OpenCL allocates lazily: zeroing now makes the device commit the memory, so a failure names this buffer.
        int fill = clEnqueueFillBuffer(runtime.queue(), mem, Pointer.to(new byte[] {0}), 1, 0, deviceBytes, 0, null, null);
        if (fill == CL_SUCCESS) {
            fill = clFinish(runtime.queue());
        }
        if (fill != CL_SUCCESS) {
            clReleaseMemObject(mem);
            throw memoryFailure(name, bytes, "zeroing the new buffer", fill);
        }
        allocatedBytes += bytes;
        return new ClBuffer(runtime, mem, name, dtype, length, () -> allocatedBytes -= bytes);
    }

    private RuntimeException memoryFailure(String name, long bytes, String op, int code) {
        ClException e = new ClException(op, code);
        if (!e.isOutOfMemory()) {
            return e;
        }
        DeviceMemoryException oom = new DeviceMemoryException(name, bytes, e.getMessage() + " on " + runtime.info().name());
        oom.initCause(e);
        return oom;
    }

    /** Raw little-endian elements; for a quantized buffer whole blocks, at a block boundary. */
    void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        ClBuffer d = ClBuffer.of(dst, "dst", runtime);
        if (src == null) {
            throw new IllegalArgumentException("src is null");
        }
        DType dtype = d.dtype();
        int blockBytes = dtype.blockBytes();
        if (src.remaining() % blockBytes != 0) {
            throw new IllegalArgumentException("src has " + src.remaining() + " bytes, not a multiple of " + blockBytes
                    + " (" + (dtype.isQuantized() ? "a " + dtype + " block" : dtype.toString()) + ")");
        }
        long count = (long) src.remaining() / blockBytes * dtype.blockElements();
        wholeBlocks(d, "dstOffset", dstOffset);
        checkRange(d, "dst", dstOffset, count);
        ByteBuffer direct = src;
        if (!src.isDirect()) {
            direct = ByteBuffer.allocateDirect(src.remaining());
            direct.put(src.duplicate()).flip();
        }
        writeBytes(d, dtype.bytesOf(dstOffset), src.remaining(), Pointer.to(direct.slice()));
    }

    void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count) {
        ClBuffer d = ClBuffer.of(dst, "dst", runtime);
        checkHostRange(src == null ? -1 : src.length, srcOffset, count);
        checkRange(d, "dst", dstOffset, count);
        switch (d.dtype()) {
            case F32 -> writeBytes(d, dstOffset * 4, (long) count * 4, Pointer.to(src).withByteOffset(srcOffset * 4L));
            case F16, BF16 -> {
                short[] bits = new short[count];
                for (int i = 0; i < count; i++) {
                    float f = src[srcOffset + i];
                    bits[i] = d.dtype() == DType.F16 ? Precision.floatToF16(f) : Precision.floatToBf16(f);
                }
                writeBytes(d, dstOffset * 2, (long) count * 2, Pointer.to(bits));
            }
            default -> throw new IllegalArgumentException("dst ('" + d.name() + "') is " + d.dtype()
                    + "; write float[] needs an F32, F16 or BF16 buffer (quantized buffers take upload of blocks)");
        }
    }

    void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count) {
        ClBuffer d = ClBuffer.of(dst, "dst", runtime);
        if (d.dtype() != DType.I32) {
            throw new IllegalArgumentException("dst ('" + d.name() + "') is " + d.dtype() + "; write int[] needs an I32 buffer");
        }
        checkHostRange(src == null ? -1 : src.length, srcOffset, count);
        checkRange(d, "dst", dstOffset, count);
        writeBytes(d, dstOffset * 4, (long) count * 4, Pointer.to(src).withByteOffset(srcOffset * 4L));
    }

    /** Floats of any float or quantized buffer; quantized blocks are read as bytes and dequantized on the host. */
    float[] readFloats(DeviceBuffer src, long offset, int count) {
        ClBuffer s = ClBuffer.of(src, "src", runtime);
        KernelLauncher.nonNegative(count, "count");
        checkRange(s, "src", offset, count);
        float[] out = new float[count];
        switch (s.dtype()) {
            case F32 -> readBytes(s, offset * 4, (long) count * 4, Pointer.to(out));
            case F16, BF16 -> {
                short[] bits = new short[count];
                readBytes(s, offset * 2, (long) count * 2, Pointer.to(bits));
                for (int i = 0; i < count; i++) {
                    out[i] = s.dtype() == DType.F16 ? Precision.f16ToFloat(bits[i]) : Precision.bf16ToFloat(bits[i]);
                }
            }
            case I32 -> throw new IllegalArgumentException("src ('" + s.name() + "') is I32; use readInts");
            default -> {
                ByteBuffer blocks = readBytes(src, offset, count);
                BlockDequantizer.dequantize(s.dtype(), blocks, out, 0, count);
            }
        }
        return out;
    }

    /** The stored bytes of {@code count} elements from {@code offset} (whole blocks of a quantized buffer). */
    ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        ClBuffer s = ClBuffer.of(src, "src", runtime);
        KernelLauncher.nonNegative(count, "count");
        checkRange(s, "src", offset, count);
        wholeBlocks(s, "offset", offset);
        wholeBlocks(s, "count", count);
        long bytes = s.dtype().bytesOf(count);
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("count " + count + " of '" + s.name() + "' is " + bytes
                    + " bytes, more than one host buffer holds");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        readBytes(s, s.dtype().bytesOf(offset), bytes, Pointer.to(out));
        return out;
    }

    int[] readInts(DeviceBuffer src, long offset, int count) {
        ClBuffer s = ClBuffer.of(src, "src", runtime);
        if (s.dtype() != DType.I32) {
            throw new IllegalArgumentException("src ('" + s.name() + "') is " + s.dtype() + "; readInts needs I32");
        }
        KernelLauncher.nonNegative(count, "count");
        checkRange(s, "src", offset, count);
        int[] out = new int[count];
        readBytes(s, offset * 4, (long) count * 4, Pointer.to(out));
        return out;
    }

    /** A copy between buffers of one dtype; for a quantized dtype offsets and count are whole blocks. */
    void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        ClBuffer s = launcher.weight(src, "src", 0, 0);
        ClBuffer d = launcher.buffer(dst, "dst", s.dtype(), 0);
        checkRange(s, "src", srcOffset, count);
        checkRange(d, "dst", dstOffset, count);
        wholeBlocks(s, "srcOffset", srcOffset);
        wholeBlocks(d, "dstOffset", dstOffset);
        wholeBlocks(s, "count", count);
        if (s == d && srcOffset < dstOffset + count && dstOffset < srcOffset + count) {
            throw new IllegalArgumentException("src and dst ranges overlap in '" + s.name() + "'");
        }
        if (count == 0) {
            return;
        }
        EventTimer timer = launcher.timer();
        cl_event event = timer.event();
        DType dtype = s.dtype();
        int rc = clEnqueueCopyBuffer(runtime.queue(), s.mem(), d.mem(), dtype.bytesOf(srcOffset),
                dtype.bytesOf(dstOffset), dtype.bytesOf(count), 0, null, event);
        if (rc != CL_SUCCESS) {
            throw launcher.failure("clEnqueueCopyBuffer(" + s.name() + " -> " + d.name() + ")", rc);
        }
        timer.record(event);
    }

    /**
     * Backend.fill of a quantized buffer: every block is the block ggml's reference quantizer makes of
     * blockElements copies of {@code value} (BlockQuantizer), written from the host a chunk of blocks at a time.
     */
    void fillBlocks(ClBuffer d, float value) {
        DType type = d.dtype();
        float[] constant = new float[type.blockElements()];
        java.util.Arrays.fill(constant, value);
        byte[] block = new byte[type.blockBytes()];
        BlockQuantizer.quantizeBlock(type, constant, 0, block);
        long blocks = d.length() / type.blockElements();
        int chunk = (int) Math.min(blocks, (1 << 20) / type.blockBytes() + 1);
        ByteBuffer pattern = ByteBuffer.allocateDirect(chunk * type.blockBytes());
        for (int i = 0; i < chunk; i++) {
            pattern.put(block);
        }
        for (long b = 0; b < blocks; b += chunk) {
            int n = (int) Math.min(chunk, blocks - b);
            writeBytes(d, b * type.blockBytes(), (long) n * type.blockBytes(), Pointer.to(pattern.duplicate().clear()));
        }
    }

    /** Throws naming {@code param} unless {@code elements} is a whole number of b's blocks. */
    static void wholeBlocks(ClBuffer b, String param, long elements) {
        int block = b.dtype().blockElements();
        if (elements % block != 0) {
            throw new IllegalArgumentException(param + " " + elements + " of '" + b.name() + "' is not a whole number of "
                    + b.dtype() + " blocks of " + block + " elements");
        }
    }

    private void writeBytes(ClBuffer d, long byteOffset, long bytes, Pointer src) {
        if (bytes == 0) {
            return;
        }
        EventTimer timer = launcher.timer();
        cl_event event = timer.event();
        int rc = clEnqueueWriteBuffer(runtime.queue(), d.mem(), CL_TRUE, byteOffset, bytes, src, 0, null, event);
        if (rc != CL_SUCCESS) {
            throw launcher.failure("clEnqueueWriteBuffer(" + d.name() + ")", rc);
        }
        timer.record(event);
    }

    private void readBytes(ClBuffer s, long byteOffset, long bytes, Pointer dst) {
        if (bytes == 0) {
            return;
        }
        EventTimer timer = launcher.timer();
        cl_event event = timer.event();
        int rc = clEnqueueReadBuffer(runtime.queue(), s.mem(), CL_TRUE, byteOffset, bytes, dst, 0, null, event);
        if (rc != CL_SUCCESS) {
            throw launcher.failure("clEnqueueReadBuffer(" + s.name() + ")", rc);
        }
        timer.record(event);
    }

    static void checkRange(ClBuffer b, String param, long offset, long count) {
        if (offset < 0 || count < 0 || offset + count > b.length()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s range [%d, %d) is outside '%s' (%d elements)", param, offset, offset + count, b.name(), b.length()));
        }
    }

    private static void checkHostRange(int arrayLength, int srcOffset, int count) {
        if (arrayLength < 0) {
            throw new IllegalArgumentException("src is null");
        }
        if (srcOffset < 0 || count < 0 || (long) srcOffset + count > arrayLength) {
            throw new IllegalArgumentException("src range [" + srcOffset + ", " + ((long) srcOffset + count)
                    + ") is outside the array of " + arrayLength);
        }
    }
}
