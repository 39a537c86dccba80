package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DeviceRooflineTest {

    @Test
    void bestTakesTheHigherRoofOfEachKindAndIgnoresMissingOnes() {
        DeviceRoofline a = new DeviceRoofline("m", 100, 10, Double.NaN, 3, 50);
        DeviceRoofline b = new DeviceRoofline("m", 100, 8, 4, Double.NaN, 70);
        DeviceRoofline best = a.best(b);
        assertEquals(10, best.readF32GBps());
        assertEquals(4, best.readF16GBps());
        assertEquals(3, best.readBf16GBps());
        assertEquals(70, best.fp32Gflops());
        assertTrue(best.method().contains("best of two"));
    }

    @Test
    void javaReadMeasuresAPositiveBandwidthAndNoPeak() {
        DeviceRoofline r = DeviceRoofline.javaHeapRead(1 << 20, 3);
        assertTrue(r.readF32GBps() > 0);
        assertTrue(Double.isNaN(r.fp32Gflops()));
        assertEquals(1 << 20, r.bufferBytes());
    }
}
