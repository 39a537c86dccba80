package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;

/** Timing windows: device intervals from profiling events, ordered as the in-order queue ran them. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TimingTest {
    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    @Test
    void consecutiveWindowsAreNonEmptyAndNonDecreasing() {
        int n = 64 * 1024;
        try (DeviceBuffer x = cl.allocate("x", DType.F32, n); DeviceBuffer w = cl.allocate("w", DType.F16, 256L * 256);
             DeviceBuffer y = cl.allocate("y", DType.F32, 256)) {
            cl.fillRandom(x, 1, 1f);
            cl.fillRandom(w, 2, 1f);
            DeviceInterval[] windows = new DeviceInterval[4];
            for (int i = 0; i < windows.length; i++) {
                cl.beginTiming();
                cl.add(x, x, x, n);
                cl.matmul(x, w, y, 1, 256, 256 - 1);
                cl.write(x, 0, new float[] {1, 2, 3}, 0, 3);
                windows[i] = cl.endTiming();
            }
            long previousEnd = 0;
            for (DeviceInterval window : windows) {
                assertTrue(window.startNanos() > 0, "start " + window.startNanos());
                assertTrue(window.endNanos() > window.startNanos(), "empty interval " + window.startNanos());
                assertTrue(window.startNanos() >= previousEnd, "window starts before the previous one ended");
                previousEnd = window.endNanos();
            }
        }
    }

    @Test
    void readsAndCopiesInsideAWindowAreTimed() {
        try (DeviceBuffer a = cl.allocate("a", DType.F32, 1024); DeviceBuffer b = cl.allocate("b", DType.F32, 1024)) {
            cl.beginTiming();
            cl.copy(a, 0, b, 0, 1024);
            cl.readFloats(b, 0, 1024);
            DeviceInterval interval = cl.endTiming();
            assertTrue(interval.startNanos() > 0);
            assertTrue(interval.endNanos() >= interval.startNanos());
        }
    }

    @Test
    void aWindowWithoutOperationsIsEmpty() {
        cl.beginTiming();
        assertSame(DeviceInterval.EMPTY, cl.endTiming());
    }

    @Test
    void windowsDoNotNest() {
        cl.beginTiming();
        assertThrows(IllegalStateException.class, cl::beginTiming);
        cl.endTiming();
        assertThrows(IllegalStateException.class, cl::endTiming);
    }

    @Test
    void enqueuesOutsideAWindowGetNoEvent() {
        EventTimer timer = new EventTimer();
        assertNull(timer.event());
        timer.begin();
        assertNotNull(timer.event());
        assertEquals(DeviceInterval.EMPTY, timer.end());
        assertNull(timer.event());
    }
}
