package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Device defaults, their fitting to small devices, system-property overrides and the checks (no OpenCL needed). */
class MoeKernelTuningTest {
    private static final String TILE_M = "moescope.cl.MOE_TILE_M";
    private static final String BARRIER_FREE = "moescope.cl.MOE_BARRIER_FREE";

    @AfterEach
    void clearProperties() {
        System.clearProperty(TILE_M);
        System.clearProperty(BARRIER_FREE);
    }

    @Test
    void gpuAndCpuDefaults() {
        MoeKernelTuning gpu = MoeKernelTuning.forDevice(true, 1024, 48 * 1024);
        assertEquals(new MoeKernelTuning(64, 128, 32, 4, 8, 32, 8, 1, 256, false), gpu);
        assertEquals(64, gpu.tileRows());
        assertEquals(16 * 16, gpu.gemmThreadsCols() * gpu.gemmThreadsRows());
        assertTrue(gpu.gemmLocalBytes() <= 48 * 1024);
        MoeKernelTuning cpu = MoeKernelTuning.forDevice(false, 4096, 2 << 20);
        assertTrue(cpu.barrierFree());
        assertEquals(32, cpu.tileRows());
        assertEquals(64, cpu.dispatchLocal());
    }

    @Test
    void smallGpuGetsTilesThatFit() {
        MoeKernelTuning t = MoeKernelTuning.forDevice(true, 64, 16 * 1024);
        assertTrue(t.gemmThreadsCols() * t.gemmThreadsRows() <= 64, t.toString());
        assertTrue(t.gemmLocalBytes() <= 16 * 1024, t.toString());
        assertTrue(t.gemvLanes() * t.gemvRows() <= 64, t.toString());
        assertTrue(t.dispatchLocal() <= 64, t.toString());
        assertFalse(t.barrierFree());
    }

    @Test
    void systemPropertiesOverrideDefaults() {
        System.setProperty(TILE_M, "16");
        System.setProperty(BARRIER_FREE, "1");
        MoeKernelTuning t = MoeKernelTuning.forDevice(true, 1024, 48 * 1024);
        assertEquals(16, t.tileRows());
        assertTrue(t.barrierFree());
        assertTrue(t.gemmDefines().contains("-DMOE_TILE_M=16"), t.gemmDefines());
    }

    @Test
    void badValuesNameTheSetting() {
        System.setProperty(TILE_M, "many");
        var e = assertThrows(IllegalArgumentException.class, () -> MoeKernelTuning.forDevice(true, 1024, 48 * 1024));
        assertTrue(e.getMessage().contains("moescope.cl.MOE_TILE_M='many'"), e.getMessage());
        System.setProperty(TILE_M, "30");   // not a multiple of MOE_REG_M = 4
        e = assertThrows(IllegalArgumentException.class, () -> MoeKernelTuning.forDevice(true, 1024, 48 * 1024));
        assertTrue(e.getMessage().contains("MOE_TILE_M 30"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MoeKernelTuning(8, 8, 6, 1, 1, 32, 8, 1, 64, false));
        assertTrue(e.getMessage().contains("MOE_TILE_K"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MoeKernelTuning(8, 8, 4, 1, 1, 24, 8, 1, 64, false));
        assertTrue(e.getMessage().contains("MOE_GEMV_LANES"), e.getMessage());
        System.setProperty(TILE_M, "512");  // 16 x 128 work-items > 1024
        e = assertThrows(IllegalArgumentException.class, () -> MoeKernelTuning.forDevice(true, 1024, 48 * 1024));
        assertTrue(e.getMessage().contains("maximum work-group size 1024"), e.getMessage());
    }
}
