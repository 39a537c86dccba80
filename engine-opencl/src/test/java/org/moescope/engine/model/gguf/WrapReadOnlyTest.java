package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.opencl.OpenClBackend;

/**
 * Backend.wrapReadOnly on an OpenCL CPU device: host bytes on GGUF's 32-byte alignment are read in place (no device
 * allocation), others are copied; either way the buffer holds the bytes.
 */
class WrapReadOnlyTest {

    @Test
    void alignedHostBytesAreReadInPlaceAndOthersAreCopied() {
        try (OpenClBackend backend = OpenClTestSupport.openOrSkip()) {
            Assumptions.assumeTrue(backend.sharesHostMemory(), "the OpenCL device is not a CPU device");
            ByteBuffer page = ByteBuffer.allocateDirect(1 << 14).alignedSlice(4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 1024; i++) {
                page.putFloat(4 * i, i * 0.25f);
            }
            ByteBuffer aligned = page.slice(32, 1016 * 4);
            ByteBuffer shifted = page.slice(16, 1000 * 4);
            try (DeviceBuffer inPlace = backend.wrapReadOnly("in-place", DType.F32, 1016, aligned)) {
                assertEquals(0, backend.allocatedBytes(), "read in place");
                assertEquals(8 * 0.25f + 3, backend.readFloats(inPlace, 12, 1)[0]);
                try (DeviceBuffer copied = backend.wrapReadOnly("copied", DType.F32, 1000, shifted)) {
                    assertEquals(4000, backend.allocatedBytes(), "a host pointer off GGUF's 32-byte alignment is copied");
                    assertEquals(4 * 0.25f + 3, backend.readFloats(copied, 12, 1)[0]);
                }
            }
            assertTrue(backend.allocatedBytes() == 0);
        }
    }
}
