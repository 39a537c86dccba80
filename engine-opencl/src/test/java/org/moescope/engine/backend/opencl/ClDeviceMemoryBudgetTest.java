package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.MemoryBudget;

/** The budget of each real OpenCL device: the host's MemTotal for a device in host memory, else its own memory. */
class ClDeviceMemoryBudgetTest {

    @Test
    void eachDevicesBudgetComesFromTheFigureThatBoundsIt() throws IOException {
        OpenClTestSupport.firstDeviceOrSkip();
        assumeTrue(Files.isReadable(MemoryBudget.MEMINFO), "needs /proc/meminfo");
        Optional<String> meminfo = Optional.of(Files.readString(MemoryBudget.MEMINFO));
        for (ClDevice d : ClDevices.list()) {
            DeviceInfo info = d.info();
            MemoryBudget budget = info.memoryBudget();
            if ("CPU".equals(info.kind())) {
                assertTrue(info.hostUnifiedMemory(), info.summary());
            }
            if (info.hostUnifiedMemory()) {
                assertTrue(budget.source().contains("MemTotal in /proc/meminfo"), budget.source());
                assertEquals(MemoryBudget.of(info, meminfo).bytes(), budget.bytes());
            } else {
                assertEquals(info.globalMemBytes(), budget.bytes(), budget.source());
            }
        }
    }
}
