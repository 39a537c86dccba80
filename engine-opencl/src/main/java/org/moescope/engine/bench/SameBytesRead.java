package org.moescope.engine.bench;

import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.opencl.ReadBandwidthProbe;

/**
 * The read bandwidth of a plain streaming read over exactly as many bytes as a kernel case reads, launched
 * back to back as the case is. A working set that fits the caches (the 25 MB of F16 weights of ggml's n = 1 case in a
 * 32 MB L3) reads faster than DRAM, and how much faster depends on what else shares the caches at that moment;
 * measured next to the kernel, it tells whether a kernel is held back by itself or by the memory of the minute.
 */
@FunctionalInterface
public interface SameBytesRead {

    /** Median GB/s of {@code runs} reads of {@code bytes} of {@code dtype} weights, NaN where not measurable. */
    double gbps(long bytes, DType dtype, int runs);

    /** Never measured (the report shows "-"). */
    SameBytesRead NONE = (bytes, dtype, runs) -> Double.NaN;

    /** ReadBandwidthProbe on an OpenCL backend's device (timed reads after one warm-up); NONE elsewhere. */
    static SameBytesRead of(Backend backend) {
        if (!"opencl".equals(backend.kind())) {
            return NONE;
        }
        DeviceInfo info = backend.device();
        return (bytes, dtype, runs) -> {
            ReadBandwidthProbe probe = ReadBandwidthProbe.measure(info, Math.max(16, bytes & ~15L), runs);
            return switch (dtype) {
                case F16 -> probe.f16GBps();
                case BF16 -> probe.bf16GBps();
                default -> probe.f32GBps();
            };
        };
    }
}
