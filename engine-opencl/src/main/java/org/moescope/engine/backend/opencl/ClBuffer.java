package org.moescope.engine.backend.opencl;

import org.jocl.CL;
import org.jocl.cl_mem;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/** A device buffer of one {@link ClRuntime}; 16-bit weights stay 16-bit on the device. */
public final class ClBuffer implements DeviceBuffer {
    private final ClRuntime owner;
    private final cl_mem mem;
    private final String name;
    private final DType dtype;
    private final long length;
    private final Runnable onClose;
    private boolean closed;

    ClBuffer(ClRuntime owner, cl_mem mem, String name, DType dtype, long length, Runnable onClose) {
        this.owner = owner;
        this.mem = mem;
        this.name = name;
        this.dtype = dtype;
        this.length = length;
        this.onClose = onClose;
    }

    /**
     * The ClBuffer behind a parameter: throws {@link IllegalArgumentException} naming {@code param} when it is null,
     * closed, not an OpenCL buffer or from another device.
     */
    public static ClBuffer of(DeviceBuffer buffer, String param, ClRuntime runtime) {
        if (buffer == null) {
            throw new IllegalArgumentException(param + " is null");
        }
        if (!(buffer instanceof ClBuffer b)) {
            throw new IllegalArgumentException(param + " ('" + buffer.name() + "') is a " + buffer.getClass().getSimpleName()
                    + ", not an OpenCL buffer");
        }
        if (b.owner != runtime) {
            throw new IllegalArgumentException(param + " ('" + b.name + "') belongs to another OpenCL backend");
        }
        if (b.closed) {
            throw new IllegalArgumentException(param + " ('" + b.name + "') is closed");
        }
        return b;
    }

    public cl_mem mem() {
        return mem;
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

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            CL.clReleaseMemObject(mem);
            onClose.run();
        }
    }

    @Override
    public String toString() {
        return name + " [" + dtype + " x " + length + "]";
    }
}
