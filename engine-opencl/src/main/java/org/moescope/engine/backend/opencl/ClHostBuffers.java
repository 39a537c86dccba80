package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.jocl.Pointer;
import org.jocl.cl_mem;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceMemoryException;

/**
 * Read-only buffers over host memory ({@code CL_MEM_USE_HOST_PTR}) for devices that share it: a CPU device then reads
 * a weight straight from the pages of the mapped model file, so a model needs no second copy in memory and does not
 * count against the global-memory figure the runtime reports (POCL reports only part of host memory by default).
 */
final class ClHostBuffers {

    private ClHostBuffers() {
    }

    static ClBuffer wrap(ClRuntime runtime, String name, DType dtype, long length, ByteBuffer bytes) {
        long size = dtype.bytesOf(length);
        if (!bytes.isDirect() || bytes.remaining() != size) {
            throw new IllegalArgumentException("'" + name + "': host bytes must be a direct buffer of " + size
                    + " bytes, got " + (bytes.isDirect() ? "" : "a heap buffer of ") + bytes.remaining());
        }
        long maxAlloc = runtime.info().maxAllocBytes();
        if (size > maxAlloc) {
            throw new DeviceMemoryException(name, size, String.format(Locale.ROOT,
                    "larger than the device's largest single buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE %,d bytes) on %s",
                    maxAlloc, runtime.info().name()));
        }
        ByteBuffer pinned = bytes.slice();
        int[] rc = new int[1];
        cl_mem mem = clCreateBuffer(runtime.context(), CL_MEM_READ_ONLY | CL_MEM_USE_HOST_PTR, size,
                Pointer.to(pinned), rc);
        if (rc[0] != CL_SUCCESS) {
            throw new ClException("clCreateBuffer(CL_MEM_USE_HOST_PTR, '" + name + "', " + size + " bytes)", rc[0]);
        }
        // the device reads the pages in place: keep them mapped until no queued kernel can still read them
        return new ClBuffer(runtime, mem, name, dtype, length, () -> {
            clFinish(runtime.queue());
            Reference.reachabilityFence(pinned);
        });
    }
}
