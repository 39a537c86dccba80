package org.moescope.engine.bench;

import java.lang.management.ManagementFactory;

/**
 * How busy the host was: its CPU count and the 1-minute load average at the start and end of the run. On a shared
 * machine other processes take cores from a CPU OpenCL device (and from the host thread that drives a GPU), so a
 * report says how loaded the machine was; a load above the CPU count means the device did not have its cores alone.
 *
 * @param cpus      processors the JVM sees
 * @param loadStart 1-minute load average at the start (negative when the OS does not report it)
 * @param loadEnd   the same at the end
 */
public record HostLoad(int cpus, double loadStart, double loadEnd) {

    /** The current 1-minute load average, negative when unavailable. */
    public static double loadAverageNow() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    public static int cpusNow() {
        return Runtime.getRuntime().availableProcessors();
    }
}
