package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * One kernel launch being set up: arguments in order, then {@link #run}. Obtained from {@link KernelLauncher#launch};
 * the enqueue takes part in the open timing window, if any.
 * <pre>launcher.launch("rms_norm", "rms_norm", "-DW_F16").arg(x).arg(w).arg(out).arg(n).arg(eps).run1d(rows * 64, 64);</pre>
 */
public final class Launch {
    private final KernelLauncher launcher;
    private final cl_kernel kernel;
    private final String name;
    private int index;

    Launch(KernelLauncher launcher, cl_kernel kernel, String name) {
        this.launcher = launcher;
        this.kernel = kernel;
        this.name = name;
    }

    public Launch arg(ClBuffer buffer) {
        return set(Sizeof.cl_mem, Pointer.to(buffer.mem()));
    }

    public Launch arg(int value) {
        return set(Sizeof.cl_int, Pointer.to(new int[] {value}));
    }

    public Launch arg(long value) {
        return set(Sizeof.cl_long, Pointer.to(new long[] {value}));
    }

    public Launch arg(float value) {
        return set(Sizeof.cl_float, Pointer.to(new float[] {value}));
    }

    /** A {@code __local} buffer of {@code bytes}. */
    public Launch argLocal(long bytes) {
        return set(bytes, null);
    }

    /** 1-D launch: {@code global} is rounded up to a multiple of {@code local} (kernels guard their range). */
    public void run1d(long global, long local) {
        run(new long[] {roundUp(global, local)}, new long[] {local});
    }

    /** 2-D launch, each global size rounded up to a multiple of its local size. */
    public void run2d(long global0, long global1, long local0, long local1) {
        run(new long[] {roundUp(global0, local0), roundUp(global1, local1)}, new long[] {local0, local1});
    }

    public void run(long[] global, long[] local) {
        for (long g : global) {
            if (g == 0) {
                return;
            }
        }
        EventTimer timer = launcher.timer();
        cl_event event = timer.event();
        int rc = clEnqueueNDRangeKernel(launcher.runtime().queue(), kernel, global.length, null, global, local,
                0, null, event);
        if (rc != CL_SUCCESS) {
            throw launcher.failure("clEnqueueNDRangeKernel(" + name + ")", rc);
        }
        timer.record(event);
    }

    private Launch set(long size, Pointer value) {
        int rc = clSetKernelArg(kernel, index, size, value);
        if (rc != CL_SUCCESS) {
            throw new ClException("clSetKernelArg(" + name + ", arg " + index + ")", rc);
        }
        index++;
        return this;
    }

    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
