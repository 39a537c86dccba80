package org.moescope.app.viewmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DeviceInfo;

class DeviceChoiceTest {

    private static DeviceChoice device(String name, String kind) {
        return DeviceChoice.of(new DeviceInfo(0, "Portable Computing Language", name, "GenuineIntel", "OpenCL 3.0", kind,
                2, 1L << 30, 1L << 28, 1L << 16, 1, List.of()));
    }

    @Test
    void theCompactNameKeepsTheKindAndTheModelAndDropsTheNoise() {
        assertEquals("CPU \u00b7 skylake-avx512-Intel Xeon",
                device("pthread-skylake-avx512-Intel(R) Xeon(R) Processor", "CPU").compactName());
        assertEquals("GPU \u00b7 NVIDIA H200", device("NVIDIA H200", "GPU").compactName());
        assertEquals("GPU \u00b7 Intel UHD 620", device("Intel(R) UHD Graphics 620", "GPU").compactName());
    }

    @Test
    void aNameOfNoiseOnlyIsKeptWhole() {
        assertEquals("CPU \u00b7 CPU", device("CPU", "CPU").compactName());
    }

    @Test
    void theListKeepsTheFullName() {
        assertEquals("pthread-skylake-avx512-Intel(R) Xeon(R) Processor \u00b7 Portable Computing Language \u00b7 CPU",
                device("pthread-skylake-avx512-Intel(R) Xeon(R) Processor", "CPU").toString());
    }
}
