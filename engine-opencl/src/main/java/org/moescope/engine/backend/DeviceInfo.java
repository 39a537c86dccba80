package org.moescope.engine.backend;

import java.util.List;

/**
 * Facts about a compute device, for device lists, benchmarks and tuning.
 *
 * @param index            position in {@code Backends.listDevices()}
 * @param kind             "GPU", "CPU", "ACCELERATOR" or "REFERENCE" (the Java backend)
 * @param timerResolutionNs profiling timer resolution in nanoseconds (0 when unknown)
 * @param hostUnifiedMemory the device works in the host's memory (CL_DEVICE_HOST_UNIFIED_MEMORY: CPU devices and
 *                          integrated GPUs), so the host's memory bounds what it can hold ({@link MemoryBudget})
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
        List<String> extensions,
        boolean hostUnifiedMemory) {

    public DeviceInfo {
        extensions = List.copyOf(extensions);
    }

    /** A device whose memory is host memory exactly when it is a CPU device. */
    public DeviceInfo(int index, String platform, String name, String vendor, String version, String kind,
                      int computeUnits, long globalMemBytes, long maxAllocBytes, long localMemBytes,
                      long timerResolutionNs, List<String> extensions) {
        this(index, platform, name, vendor, version, kind, computeUnits, globalMemBytes, maxAllocBytes, localMemBytes,
                timerResolutionNs, extensions, "CPU".equals(kind));
    }

    /** The memory budget of this device on this machine, and where its figure comes from. */
    public MemoryBudget memoryBudget() {
        return MemoryBudget.of(this);
    }

    /** One line for device lists: "[1] pthread-cpu (Portable Computing Language, OpenCL 3.0 PoCL, 2 CUs, 22.9 GiB)". */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "[%d] %s (%s, %s, %d CUs, %.1f GiB)",
                index, name, platform, version, computeUnits, globalMemBytes / (1024.0 * 1024 * 1024));
    }
}
