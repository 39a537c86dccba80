package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DeviceInfo;

/** Device discovery, the facts each device reports, and selection by index and name (ClDevices and Backends). */
class ClDevicesTest {
    private static List<ClDevice> devices;

    @BeforeAll
    static void discover() {
        OpenClTestSupport.firstDeviceOrSkip();
        devices = ClDevices.list();
    }

    @Test
    void devicesReportPlausibleFacts() {
        assertFalse(devices.isEmpty());
        for (int i = 0; i < devices.size(); i++) {
            DeviceInfo info = devices.get(i).info();
            assertEquals(i, info.index());
            assertFalse(info.name().isBlank());
            assertFalse(info.platform().isBlank());
            assertTrue(info.version().startsWith("OpenCL"), info.version());
            assertTrue(List.of("GPU", "CPU", "ACCELERATOR", "OTHER").contains(info.kind()), info.kind());
            assertTrue(info.computeUnits() > 0);
            assertTrue(info.globalMemBytes() > 0);
            assertTrue(info.maxAllocBytes() > 0 && info.maxAllocBytes() <= info.globalMemBytes());
            assertTrue(info.localMemBytes() >= 16 * 1024, "OpenCL guarantees 16 KiB of local memory");
            assertTrue(devices.get(i).maxWorkGroupSize() >= 1);
            assertFalse(info.extensions().isEmpty());
        }
    }

    @Test
    void selectsByIndexAndCaseInsensitiveNameSubstring() {
        assertSame(devices.get(0), ClDevices.select(devices, "0"));
        ClDevice last = devices.get(devices.size() - 1);
        assertSame(last, ClDevices.select(devices, " " + (devices.size() - 1) + " "));
        String name = devices.get(0).info().name();
        String middle = name.substring(name.length() / 3, Math.max(name.length() / 3 + 1, 2 * name.length() / 3));
        assertSame(devices.get(0), ClDevices.select(devices, middle.toUpperCase(Locale.ROOT)));
    }

    @Test
    void badSelectorsListTheDevices() {
        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class,
                () -> ClDevices.select(devices, "no-such-device-xyz"));
        assertTrue(byName.getMessage().contains("no OpenCL device matches 'no-such-device-xyz'"), byName.getMessage());
        assertTrue(byName.getMessage().contains(devices.get(0).info().summary()), byName.getMessage());
        IllegalArgumentException byIndex = assertThrows(IllegalArgumentException.class,
                () -> ClDevices.select(devices, "99"));
        assertTrue(byIndex.getMessage().contains("index 99"), byIndex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClDevices.select(devices, " "));
    }

    @Test
    void backendsListEveryDeviceThenTheReference() {
        List<DeviceInfo> all = Backends.listDevices();
        assertEquals(devices.size() + 1, all.size());
        for (int i = 0; i < devices.size(); i++) {
            assertEquals(devices.get(i).info(), all.get(i));
        }
        DeviceInfo reference = all.get(all.size() - 1);
        assertEquals("REFERENCE", reference.kind());
        assertEquals(devices.size(), reference.index());
        assertTrue(Backends.openClAvailable());
    }

    @Test
    void backendsOpenBySelector() {
        try (Backend first = Backends.open(null)) {
            assertEquals("opencl", first.kind());
        }
        try (Backend byIndex = Backends.open("0")) {
            assertEquals(devices.get(0).info(), byIndex.device());
        }
        try (Backend byName = Backends.open(devices.get(0).info().name().toLowerCase(Locale.ROOT))) {
            assertEquals(devices.get(0).info(), byName.device());
        }
        for (String reference : new String[] {"java", "Reference", String.valueOf(devices.size())}) {
            try (Backend java = Backends.open(reference)) {
                assertEquals("java", java.kind(), reference);
            }
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Backends.open("nonesuch"));
        assertTrue(bad.getMessage().contains("no device matches 'nonesuch'"), bad.getMessage());
        assertTrue(bad.getMessage().contains("Java reference"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.open("12345678901234"));
    }
}
