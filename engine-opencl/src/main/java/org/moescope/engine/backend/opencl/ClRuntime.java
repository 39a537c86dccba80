package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_queue_properties;
import org.moescope.engine.backend.DeviceInfo;

/** A context and one in-order, profiling-enabled command queue on one OpenCL device. */
public final class ClRuntime implements AutoCloseable {
    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private boolean closed;

    public ClRuntime(ClDevice device) {
        this.device = device;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
        int[] rc = new int[1];
        context = clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, rc);
        ClException.check(rc[0], "clCreateContext(" + device.info().name() + ")");
        cl_queue_properties qprops = new cl_queue_properties();
        qprops.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
        cl_command_queue q;
        try {
            q = clCreateCommandQueueWithProperties(context, device.id(), qprops, rc);
        } catch (UnsupportedOperationException e) {
            q = null;
            rc[0] = CL_INVALID_OPERATION;
        }
        if (rc[0] != CL_SUCCESS) {
            // OpenCL 1.x platforms only have the deprecated entry point.
            @SuppressWarnings("deprecation")
            cl_command_queue legacy = clCreateCommandQueue(context, device.id(), CL_QUEUE_PROFILING_ENABLE, rc);
            q = legacy;
        }
        if (rc[0] != CL_SUCCESS) {
            clReleaseContext(context);
            throw new ClException("clCreateCommandQueue(" + device.info().name() + ")", rc[0]);
        }
        queue = q;
    }

    public ClDevice device() {
        return device;
    }

    public DeviceInfo info() {
        return device.info();
    }

    public cl_context context() {
        return context;
    }

    public cl_command_queue queue() {
        return queue;
    }

    /** Largest work-group size the device accepts. */
    public int maxWorkGroupSize() {
        return device.maxWorkGroupSize();
    }

    public boolean isGpu() {
        return "GPU".equals(device.info().kind());
    }

    /** Waits until every enqueued command has finished. */
    public void finish() {
        ClException.check(clFinish(queue), "clFinish");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        clFinish(queue);
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
