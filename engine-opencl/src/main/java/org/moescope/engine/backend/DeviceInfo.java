package org.moescope.engine.backend;

import java.util.List;

/**
 * Facts about a compute device, for device lists, benchmarks and tuning.
 *
 * @param index            position in {@code Backends.listDevices()}
 * @param kind             "GPU", "CPU", "ACCELERATOR" or "REFERENCE" (the Java backend)
 * @param timerResolutionNs profiling timer resolution in nanoseconds (0 when unknown)
 */
public record DeviceInfo(
        int index,
        String platform,
        String name,
        String vendor,
        String version,
        String kind,
        int computeUnits,
        long globalMemBytes,
        long maxAllocBytes,
        long localMemBytes,
        long timerResolutionNs,
        List<String> extensions) {

    public DeviceInfo {
        extensions = List.copyOf(extensions);
    }

    /** One line for device lists: "[1] pthread-cpu (Portable Computing Language, OpenCL 3.0 PoCL, 2 CUs, 22.9 GiB)". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "[%d] %s (%s, %s, %d CUs, %.1f GiB)",
                index, name, platform, version, computeUnits, globalMemBytes / (1024.0 * 1024 * 1024));
    }
}
