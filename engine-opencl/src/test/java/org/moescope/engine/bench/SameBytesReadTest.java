package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.backend.opencl.OpenClBackend;

/** The same-bytes read of the ggml comparison measures on OpenCL (no timing is asserted) and is absent on Java. */
class SameBytesReadTest {

    @Test
    void openClReadsAnyByteCountOfEachType() {
        try (OpenClBackend cl = OpenClTestSupport.openOrSkip()) {
            SameBytesRead read = SameBytesRead.of(cl);
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                double gbps = read.gbps((3L << 20) + 7, dtype, 1);   // not a multiple of 16: rounded down
                assertTrue(gbps > 0 && Double.isFinite(gbps), dtype + " " + gbps);
            }
            assertTrue(read.gbps(5, DType.F32, 2) > 0, "tiny counts read one vector");
        }
    }

    @Test
    void javaBackendHasNoSameBytesRead() {
        try (JavaBackend java = new JavaBackend()) {
            assertTrue(Double.isNaN(SameBytesRead.of(java).gbps(1 << 20, DType.F32, 1)));
        }
    }
}
