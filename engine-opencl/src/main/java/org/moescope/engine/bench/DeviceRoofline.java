package org.moescope.engine.bench;

import java.util.Arrays;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.opencl.FmaPeakProbe;
import org.moescope.engine.backend.opencl.ReadBandwidthProbe;

/**
 * The device's own roofs, measured in the same run as the bench: streaming read bandwidth (F32, F16 and BF16
 * loads) and FP32 FMA throughput. For the Java reference backend the read is a plain single-threaded loop over a
 * heap array (that backend's memory) and the FP32 peak is not measured (NaN).
 *
 * @param method       how it was measured, for the report
 * @param bufferBytes  size of the buffer read
 * @param readF32GBps  GB/s reading F32 (the bandwidth the bench's ratios use)
 * @param readF16GBps  GB/s reading F16 (NaN when not measured)
 * @param readBf16GBps GB/s reading BF16 (NaN when not measured)
 * @param fp32Gflops   measured FP32 FMA GFLOP/s, NaN when not measured
 */
public record DeviceRoofline(String method, long bufferBytes, double readF32GBps, double readF16GBps,
                             double readBf16GBps, double fp32Gflops) {

    /** Measures the roofs of {@code backend}'s device; {@code repeats} timed runs each, medians. */
    public static DeviceRoofline measure(Backend backend, int repeats) {
        DeviceInfo info = backend.device();
        if ("opencl".equals(backend.kind())) {
            long bytes = ReadBandwidthProbe.defaultBufferBytes(info);
            ReadBandwidthProbe read = ReadBandwidthProbe.measure(info, bytes, repeats);
            FmaPeakProbe peak = FmaPeakProbe.measure(info, repeats);
            return new DeviceRoofline("OpenCL kernels: read_bandwidth.cl (float, vload_half, ushort vector loads: 4-wide on GPUs, 16-wide on CPUs), "
                    + "fma_peak.cl (8 independent FMA chains per work-item, 16-float vectors on CPUs)", bytes, read.f32GBps(), read.f16GBps(),
                    read.bf16GBps(), peak.gflops());
        }
        return javaHeapRead(256L << 20, repeats);
    }

    /**
     * The better of two measurements of the same device, field by field (NaN-aware): on a shared machine the roofs
     * drift with other load, and ratios against the higher roof are the conservative ones.
     */
    public DeviceRoofline best(DeviceRoofline other) {
        return new DeviceRoofline(method + "; best of two measurements (start and end of the run)",
                Math.max(bufferBytes, other.bufferBytes), maxIgnoringNaN(readF32GBps, other.readF32GBps),
                maxIgnoringNaN(readF16GBps, other.readF16GBps), maxIgnoringNaN(readBf16GBps, other.readBf16GBps),
                maxIgnoringNaN(fp32Gflops, other.fp32Gflops));
    }

    /** The larger of a and b, the other where one is NaN (not measured). */
    static double maxIgnoringNaN(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    /**
     * Sums a heap array of {@code bytes} with one thread, as the Java backend reads its buffers. Integer adds, which
     * the JIT vectorises, so the loop is bound by memory and not by the latency of a float add chain.
     */
    static DeviceRoofline javaHeapRead(long bytes, int repeats) {
        int[] data = new int[(int) (bytes / Integer.BYTES)];
        Arrays.fill(data, 1);
        double[] gbps = new double[repeats];
        long keep = 0;
        for (int r = -1; r < repeats; r++) {
            long t0 = System.nanoTime();
            int sum = 0;
            for (int v : data) {
                sum += v;
            }
            long nanos = System.nanoTime() - t0;
            keep += sum;
            if (r >= 0) {
                gbps[r] = (double) data.length * Integer.BYTES / Math.max(1, nanos);
            }
        }
        if (keep == Long.MIN_VALUE) {
            throw new AssertionError("unreachable: keeps the reads alive");
        }
        Arrays.sort(gbps);
        return new DeviceRoofline("Java: one thread summing a heap int[]", (long) data.length * Integer.BYTES,
                gbps[repeats / 2], Double.NaN, Double.NaN, Double.NaN);
    }
}
