package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.util.Arrays;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.moescope.engine.backend.DeviceInfo;

/**
 * Measures an OpenCL device's FP32 FMA throughput with kernels/fma_peak.cl (independent FMA chains, no memory
 * traffic): the compute roof the bench compares its GEMMs with. A measured figure, usually a little under the
 * vendor's peak.
 *
 * @param gflops  median GFLOP/s (an FMA counts 2)
 * @param repeats timed launches (after one warm-up)
 */
public record FmaPeakProbe(double gflops, int repeats) {

    /** 32 FMAs of 2 FLOPs per loop iteration, per vector lane. */
    private static final int FLOPS_PER_LANE_ITERATION = 64;

    public static FmaPeakProbe measure(DeviceInfo info, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        // GPU: scalar chains, 2048 work-items per compute unit; CPU: 16-float vector chains, 4 work-items per core
        boolean gpu = "GPU".equals(info.kind());
        int lanes = gpu ? 1 : 16;
        long local = gpu ? 256 : 1;
        long global = Math.max(1, info.computeUnits()) * (gpu ? 2048L : 4L);
        int iters = gpu ? 4096 : 65536;
        try (ProbeQueue q = new ProbeQueue(info)) {
            int[] rc = new int[1];
            cl_mem sink = clCreateBuffer(q.context(), CL_MEM_WRITE_ONLY, Sizeof.cl_float, null, rc);
            ProbeQueue.check(rc[0], "clCreateBuffer(sink)");
            try {
                cl_kernel kernel = q.kernel("fma_peak", "fma_peak", "-DVEC=" + lanes);
                clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(sink));
                clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(new int[] {iters}));
                clSetKernelArg(kernel, 2, Sizeof.cl_float, Pointer.to(new float[] {-12345.678f}));
                q.timedLaunch(kernel, global, local);
                double flops = (double) global * iters * FLOPS_PER_LANE_ITERATION * lanes;
                double[] gflops = new double[repeats];
                for (int r = 0; r < repeats; r++) {
                    gflops[r] = flops / Math.max(1, q.timedLaunch(kernel, global, local));
                }
                Arrays.sort(gflops);
                return new FmaPeakProbe(gflops[repeats / 2], repeats);
            } finally {
                clReleaseMemObject(sink);
            }
        }
    }
}
