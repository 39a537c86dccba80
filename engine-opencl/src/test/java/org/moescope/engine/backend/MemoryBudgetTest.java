package org.moescope.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelPresets;
import org.moescope.engine.model.SyntheticWeights;
import org.moescope.engine.model.TrackingBackend;

/** Which memory figure bounds a device, where it comes from, and that it does not move with POCL's report. */
class MemoryBudgetTest {
    private static final long GIB = 1L << 30;
    /** A host with 23.54 GiB of memory of which 9.54 GiB are free. */
    private static final String MEMINFO = """
            MemTotal:       24683664 kB
            MemFree:         9000000 kB
            MemAvailable:   10000000 kB
            Buffers:            6516 kB
            """;
    private static final long MEM_TOTAL = 24683664L * 1024;
    private static final long MEM_AVAILABLE = 10000000L * 1024;

    private static DeviceInfo device(String kind, long globalMemBytes, boolean hostUnified) {
        return new DeviceInfo(1, "Portable Computing Language", "pthread-cpu", "v", "OpenCL 3.0 PoCL", kind, 2,
                globalMemBytes, globalMemBytes / 4, 1 << 20, 1, List.of(), hostUnified);
    }

    @Test
    void aCpuDeviceGetsTheHostsMemoryWhateverPoclReports() {
        // the two figures POCL reported on one machine in two runs
        MemoryBudget low = MemoryBudget.of(device("CPU", (long) (5.96 * GIB), true), Optional.of(MEMINFO));
        MemoryBudget high = MemoryBudget.of(device("CPU", (long) (10.84 * GIB), true), Optional.of(MEMINFO));
        assertEquals(MEM_TOTAL, low.bytes());
        assertEquals(low, high);
        long model = 8 * GIB; // between the two POCL figures: accepted in both runs
        assertTrue(low.fits(model) && high.fits(model));
        assertEquals(MEM_AVAILABLE, low.availableBytes());
    }

    @Test
    void aCpuDeviceIsBoundedByTheHostEvenWhenTheRuntimeDoesNotSayItSharesMemory() {
        MemoryBudget b = MemoryBudget.of(device("CPU", 6 * GIB, false), Optional.of(MEMINFO));
        assertEquals(MEM_TOTAL, b.bytes());
    }

    @Test
    void aDiscreteGpuUsesItsOwnGlobalMemory() {
        MemoryBudget b = MemoryBudget.of(device("GPU", 80 * GIB, false), Optional.of(MEMINFO));
        assertEquals(80 * GIB, b.bytes());
        assertEquals(-1, b.availableBytes());
        assertTrue(b.source().contains("80.00 GiB of global memory (CL_DEVICE_GLOBAL_MEM_SIZE)"), b.source());
        assertFalse(b.source().contains("meminfo"), b.source());
    }

    @Test
    void anIntegratedGpuWithHostUnifiedMemorySharesTheHostsMemory() {
        MemoryBudget b = MemoryBudget.of(device("GPU", 3 * GIB, true), Optional.of(MEMINFO));
        assertEquals(MEM_TOTAL, b.bytes());
        assertTrue(b.source().startsWith("this GPU (pthread-cpu) shares the host's 23.54 GiB"), b.source());
    }

    @Test
    void withoutMeminfoTheDevicesFigureIsUsedAndTheMessageSaysSo() {
        for (Optional<String> meminfo : List.of(Optional.<String>empty(), Optional.of("no such fields\n"),
                Optional.of("MemTotal: 99999999999999999999 kB\n"))) {
            MemoryBudget b = MemoryBudget.of(device("CPU", 6 * GIB, true), meminfo);
            assertEquals(6 * GIB, b.bytes(), meminfo.toString());
            assertEquals(-1, b.availableBytes());
            assertTrue(b.source().contains("6.00 GiB of global memory (CL_DEVICE_GLOBAL_MEM_SIZE; the host's "
                    + "MemTotal could not be read from /proc/meminfo)"), b.source());
        }
    }

    @Test
    void theJavaReferenceDeviceIsBoundedByTheHeap() {
        DeviceInfo java = new JavaBackend().device();
        MemoryBudget b = MemoryBudget.of(java, Optional.of(MEMINFO));
        assertEquals(Runtime.getRuntime().maxMemory(), b.bytes());
        assertTrue(b.source().contains("Java heap") && b.source().contains("-Xmx"), b.source());
    }

    @Test
    void theRefusalNamesTheFigureItsSourceAndWhatToDo() {
        MemoryBudget b = MemoryBudget.of(device("CPU", 6 * GIB, true), Optional.of(MEMINFO));
        long need = (long) (31.2 * GIB);
        assertFalse(b.fits(need));
        String m = b.refusal("the model's weights", need);
        assertEquals("out of device memory: the model's weights need 31.20 GiB; this CPU device (pthread-cpu) shares "
                + "the host's 23.54 GiB of memory (MemTotal in /proc/meminfo). " + MemoryBudget.ADVICE, m);
        assertTrue(MemoryBudget.ADVICE.contains("--layers N") && MemoryBudget.ADVICE.contains("quantized GGUF")
                && MemoryBudget.ADVICE.contains("--device"), MemoryBudget.ADVICE);
    }

    @Test
    void aModelBeyondWhatIsFreeNowOnlyWarns() {
        MemoryBudget b = MemoryBudget.of(device("CPU", 6 * GIB, true), Optional.of(MEMINFO));
        assertTrue(b.warning("the model's weights", 9 * GIB).isEmpty(), "9 GiB fit the 9.54 GiB free");
        String w = b.warning("the model's weights", 12 * GIB).orElseThrow();
        assertTrue(w.contains("need 12.00 GiB but only 9.54 GiB") && w.contains("MemAvailable in /proc/meminfo"), w);
        assertTrue(b.warning("the model's weights", 30 * GIB).isEmpty(), "beyond MemTotal is a refusal, not a warning");
    }

    @Test
    void aBudgetNeedsAPositiveFigureAndASource() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(0, -1, "x"));
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(1, -1, " "));
    }

    /** The loader's up-front check: a model larger than a CPU runtime's reported figure loads when the host holds it. */
    @Test
    void theWeightCheckOfACpuDeviceUsesTheHostsMemoryNotTheRuntimesFigure() {
        assumeTrue(Files.isReadable(MemoryBudget.MEMINFO), "needs /proc/meminfo");
        DeviceInfo tinyFigure = device("CPU", 1 << 20, true); // a runtime reporting 1 MiB of global memory
        TrackingBackend cpu = new TrackingBackend(new JavaBackend()).device(tinyFigure);
        try (var weights = SyntheticWeights.create(ModelPresets.resolve("qwen3-tiny"), DType.F32, 1, cpu,
                LoadProgress.NONE)) {
            assertTrue(cpu.liveBytes() > 1 << 20, "the weights take " + cpu.liveBytes() + " bytes");
        }
        DeviceInfo discrete = device("GPU", 1 << 20, false);
        TrackingBackend gpu = new TrackingBackend(new JavaBackend()).device(discrete);
        EngineException e = assertThrows(EngineException.class, () -> SyntheticWeights.create(
                ModelPresets.resolve("qwen3-tiny"), DType.F32, 1, gpu, LoadProgress.NONE));
        assertTrue(e.getMessage().contains("this GPU (pthread-cpu) has 1.0 MiB of global memory "
                + "(CL_DEVICE_GLOBAL_MEM_SIZE)"), e.getMessage());
        assertEquals(0, gpu.liveBuffers());
    }
}
