package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.EngineException;

/** The read-bandwidth and FMA probes build and run on the first OpenCL device (no timing is asserted). */
class DeviceProbesTest {

    @Test
    void readProbeRunsAllThreeKernelsOnASmallBuffer() {
        DeviceInfo info = OpenClTestSupport.firstDeviceOrSkip().info();
        ReadBandwidthProbe probe = ReadBandwidthProbe.measure(info, 16L << 20, 1);
        assertEquals(16L << 20, probe.bufferBytes());
        assertTrue(probe.f32GBps() > 0 && Double.isFinite(probe.f32GBps()), "f32 " + probe.f32GBps());
        assertTrue(probe.f16GBps() > 0 && Double.isFinite(probe.f16GBps()), "f16 " + probe.f16GBps());
        assertTrue(probe.bf16GBps() > 0 && Double.isFinite(probe.bf16GBps()), "bf16 " + probe.bf16GBps());
    }

    @Test
    void fmaProbeRuns() {
        DeviceInfo info = OpenClTestSupport.firstDeviceOrSkip().info();
        FmaPeakProbe probe = FmaPeakProbe.measure(info, 1);
        assertTrue(probe.gflops() > 0 && Double.isFinite(probe.gflops()), "gflops " + probe.gflops());
    }

    @Test
    void defaultBufferIsCappedByTheMaxAllocation() {
        DeviceInfo gpu = new DeviceInfo(0, "p", "g", "v", "3.0", "GPU", 132, 1L << 37, 1L << 28, 49152, 1000, List.of());
        DeviceInfo cpu = new DeviceInfo(1, "p", "c", "v", "3.0", "CPU", 2, 1L << 33, 1L << 32, 1 << 20, 1, List.of());
        assertEquals(1L << 27, ReadBandwidthProbe.defaultBufferBytes(gpu), "half of a 256 MiB max allocation");
        assertEquals(1L << 29, ReadBandwidthProbe.defaultBufferBytes(cpu));
    }

    @Test
    void badArgumentsAndUnknownDevicesAreRefused() {
        DeviceInfo info = OpenClTestSupport.firstDeviceOrSkip().info();
        assertThrows(IllegalArgumentException.class, () -> ReadBandwidthProbe.measure(info, 100, 1));
        assertThrows(IllegalArgumentException.class, () -> ReadBandwidthProbe.measure(info, 1 << 20, 0));
        assertThrows(IllegalArgumentException.class, () -> FmaPeakProbe.measure(info, 0));
        DeviceInfo missing = new DeviceInfo(99, info.platform(), "no such device", "v", "3.0", "GPU", 1, 1, 1, 1, 1,
                List.of());
        EngineException e = assertThrows(EngineException.class, () -> ReadBandwidthProbe.measure(missing, 1 << 20, 1));
        assertTrue(e.getMessage().contains("no such device"), e.getMessage());
    }
}
