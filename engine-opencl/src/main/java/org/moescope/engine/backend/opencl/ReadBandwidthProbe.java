package org.moescope.engine.backend.opencl;

import static org.jocl.CL.*;

import java.util.Arrays;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.moescope.engine.backend.DeviceInfo;

/**
 * Measures an OpenCL device's streaming read bandwidth with kernels/read_bandwidth.cl: one buffer (by default much
 * larger than the caches) read with float, vload_half and widened ushort (BF16) vector loads, 4-wide on GPUs and
 * 16-wide on CPUs. The bench divides the bytes its MoE
 * kernels must read by their time and compares with these figures.
 *
 * @param bufferBytes size of the buffer read
 * @param f32GBps     median GB/s (1e9 bytes/s) reading F32 as float4
 * @param f16GBps     median GB/s reading F16 through vload_half4
 * @param bf16GBps    median GB/s reading BF16 as ushort4 widened to float
 * @param repeats     timed launches per kernel (after one warm-up)
 */
public record ReadBandwidthProbe(long bufferBytes, double f32GBps, double f16GBps, double bf16GBps, int repeats) {

    /** Buffer size for a device: 1 GiB on GPUs (20x an H200's L2), 512 MiB elsewhere, at most half the max allocation. */
    public static long defaultBufferBytes(DeviceInfo info) {
        long wanted = "GPU".equals(info.kind()) ? 1L << 30 : 1L << 29;
        long cap = info.maxAllocBytes() > 0 ? info.maxAllocBytes() / 2 : wanted;
        return Math.max(1L << 20, Math.min(wanted, cap)) & ~15L;
    }

    public static ReadBandwidthProbe measure(DeviceInfo info, long bufferBytes, int repeats) {
        if (bufferBytes < 16 || bufferBytes % 16 != 0) {
            throw new IllegalArgumentException("bufferBytes must be a positive multiple of 16, got " + bufferBytes);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        try (ProbeQueue q = new ProbeQueue(info)) {
            int[] rc = new int[1];
            cl_mem src = clCreateBuffer(q.context(), CL_MEM_READ_ONLY, bufferBytes, null, rc);
            ProbeQueue.check(rc[0], "clCreateBuffer(" + bufferBytes + " bytes)");
            cl_mem sink = clCreateBuffer(q.context(), CL_MEM_WRITE_ONLY, Sizeof.cl_float, null, rc);
            try {
                ProbeQueue.check(rc[0], "clCreateBuffer(sink)");
                // Touch every page: untouched host-backed memory may read as one shared zero page.
                float[] pattern = {0.25f};
                ProbeQueue.check(clEnqueueFillBuffer(q.queue(), src, Pointer.to(pattern), Sizeof.cl_float, 0,
                        bufferBytes, 0, null, null), "clEnqueueFillBuffer");
                ProbeQueue.check(clFinish(q.queue()), "clFinish");
                // GPU: 16 work-groups of 256 per compute unit, coalesced; CPU: one contiguous stream per work-item,
                // a few per core, work-groups of one
                boolean gpu = "GPU".equals(info.kind());
                long local = gpu ? 256 : 1;
                long groups = Math.max(1, info.computeUnits()) * (gpu ? 16L : 4L);
                // and 16-wide vectors, as the CPU weight kernels read
                String options = gpu ? "" : "-DCONTIGUOUS_ITEMS -DWIDE_VECTORS";
                int width = gpu ? 4 : 16;
                double f32 = run(q, q.kernel("read_bandwidth", "read_f32", options), src, sink,
                        bufferBytes / (4L * width), bufferBytes, groups, local, repeats);
                double f16 = run(q, q.kernel("read_bandwidth", "read_f16", options), src, sink,
                        bufferBytes / (2L * width), bufferBytes, groups, local, repeats);
                double bf16 = run(q, q.kernel("read_bandwidth", "read_bf16", options), src, sink,
                        bufferBytes / (2L * width), bufferBytes, groups, local, repeats);
                return new ReadBandwidthProbe(bufferBytes, f32, f16, bf16, repeats);
            } finally {
                if (sink != null) {
                    clReleaseMemObject(sink);
                }
                clReleaseMemObject(src);
            }
        }
    }

    /** Median GB/s of {@code repeats} launches reading {@code vectors} vectors ({@code bytes} in all). */
    private static double run(ProbeQueue q, cl_kernel kernel, cl_mem src, cl_mem sink, long vectors, long bytes,
                              long groups, long local, int repeats) {
        clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(src));
        clSetKernelArg(kernel, 1, Sizeof.cl_ulong, Pointer.to(new long[] {vectors}));
        clSetKernelArg(kernel, 2, Sizeof.cl_float, Pointer.to(new float[] {-12345.678f}));
        clSetKernelArg(kernel, 3, Sizeof.cl_mem, Pointer.to(sink));
        q.timedLaunch(kernel, groups * local, local);
        double[] gbps = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            gbps[r] = bytes / (double) Math.max(1, q.timedLaunch(kernel, groups * local, local));
        }
        Arrays.sort(gbps);
        return gbps[repeats / 2];
    }
}
