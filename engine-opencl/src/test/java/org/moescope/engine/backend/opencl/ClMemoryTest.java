package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.java.JavaBackend;

/** Allocation limits, zeroing, typed transfers with rounding, raw uploads, copies and argument checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClMemoryTest {
    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    @Test
    void hugeAllocationNamesTheBuffer() {
        long elements = cl.device().maxAllocBytes() / 4 + 1;
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> cl.allocate("layer7.experts.gate", DType.F32, elements));
        assertEquals("layer7.experts.gate", e.bufferName());
        assertEquals(elements * 4, e.requestedBytes());
        assertTrue(e.getMessage().contains("layer7.experts.gate"), e.getMessage());
        assertTrue(e.getMessage().contains("CL_DEVICE_MAX_MEM_ALLOC_SIZE"), e.getMessage());
    }

    /** The global-memory check, on a 1 MiB budget so the test does not fill the device. */
    @Test
    void allocationsBeyondTheMemoryBudgetAreRefusedUpFront() {
        ClMemory memory = new ClMemory(cl.launcher(), 1 << 20);
        ClBuffer a = memory.allocate("a", DType.F32, 100_000);
        ClBuffer b = memory.allocate("b", DType.F16, 200_000);
        assertEquals(800_000, memory.allocatedBytes());
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> memory.allocate("kvCache", DType.F32, 100_000));
        assertEquals("kvCache", e.bufferName());
        assertTrue(e.getMessage().contains("800,000 bytes already allocated"), e.getMessage());
        a.close();
        ClBuffer c = memory.allocate("kvCache", DType.F32, 100_000);
        assertEquals(800_000, memory.allocatedBytes());
        b.close();
        c.close();
        assertEquals(0, memory.allocatedBytes());
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void newBuffersAreZeroed(DType dtype) {
        try (DeviceBuffer b = cl.allocate("zeros", dtype, 1031)) {
            if (dtype == DType.I32) {
                assertArrayEquals(new int[1031], cl.readInts(b, 0, 1031));
            } else {
                assertArrayEquals(new float[1031], cl.readFloats(b, 0, 1031));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void writesRoundToTheBufferType(DType dtype) {
        float[] values = {0f, -1.5f, 1f / 3, 65504f, 1e-3f, -2.7182817f, 123456.78f};
        try (DeviceBuffer b = cl.allocate("w", dtype, 10)) {
            cl.write(b, 2, values, 1, values.length - 1);
            float[] got = cl.readFloats(b, 0, 10);
            assertEquals(0f, got[0]);
            assertEquals(0f, got[1]);
            for (int i = 1; i < values.length; i++) {
                assertEquals(Precision.roundTo(dtype, values[i]), got[i + 1], dtype + " value " + values[i]);
            }
            assertEquals(0f, got[9]);
            float[] window = cl.readFloats(b, 3, 2);
            assertArrayEquals(new float[] {got[3], got[4]}, window);
        }
    }

    @Test
    void uploadCopiesRawLittleEndianBytes() {
        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        raw.putShort(Precision.floatToBf16(1.5f)).putShort(Precision.floatToBf16(-3f))
                .putShort(Precision.floatToBf16(0.25f)).putShort(Precision.floatToBf16(7f)).flip();
        try (DeviceBuffer b = cl.allocate("bf16", DType.BF16, 6); DeviceBuffer ints = cl.allocate("ids", DType.I32, 3)) {
            cl.upload(b, 1, raw.position(2));
            assertArrayEquals(new float[] {0, -3f, 0.25f, 7f, 0, 0}, cl.readFloats(b, 0, 6));
            ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putInt(42).putInt(-7).flip();
            cl.upload(ints, 1, direct);
            assertArrayEquals(new int[] {0, 42, -7}, cl.readInts(ints, 0, 3));
            IllegalArgumentException odd = assertThrows(IllegalArgumentException.class,
                    () -> cl.upload(ints, 0, ByteBuffer.allocate(6)));
            assertTrue(odd.getMessage().contains("not a multiple of 4"), odd.getMessage());
        }
    }

    @Test
    void copyMovesRangesAndRejectsOverlap() {
        try (DeviceBuffer a = cl.allocate("a", DType.F32, 8); DeviceBuffer b = cl.allocate("b", DType.F32, 8)) {
            cl.write(a, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
            cl.copy(a, 2, b, 5, 3);
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, 3, 4, 5}, cl.readFloats(b, 0, 8));
            cl.copy(a, 0, a, 4, 4);
            assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, cl.readFloats(a, 0, 8));
            assertThrows(IllegalArgumentException.class, () -> cl.copy(a, 0, a, 2, 4));
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> cl.copy(a, 6, b, 0, 3));
            assertTrue(range.getMessage().contains("src range [6, 9)"), range.getMessage());
        }
    }

    @Test
    void badBuffersAreNamed() {
        DeviceBuffer closed = cl.allocate("gone", DType.F32, 4);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.readFloats(closed, 0, 1));
        assertTrue(e.getMessage().contains("'gone') is closed"), e.getMessage());
        try (JavaBackend java = new JavaBackend(); DeviceBuffer foreign = java.allocate("host", DType.F32, 4);
             DeviceBuffer ints = cl.allocate("ints", DType.I32, 4)) {
            e = assertThrows(IllegalArgumentException.class, () -> cl.fill(foreign, 1f));
            assertTrue(e.getMessage().contains("not an OpenCL buffer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.readFloats(ints, 0, 4));
            assertTrue(e.getMessage().contains("use readInts"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.write(ints, 2, new int[] {1, 2, 3}, 0, 3));
            assertTrue(e.getMessage().contains("dst range [2, 5)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.fillRandom(ints, 1, 1));
            assertTrue(e.getMessage().contains("I32"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> cl.allocate("neg", DType.F32, -1));
    }
}
