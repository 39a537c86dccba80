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
import org.moescope.engine.backend.MemoryBudget;
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
        ClMemory memory = new ClMemory(cl.launcher(), new MemoryBudget(1 << 20, -1, "a test budget of 1 MiB"));
        ClBuffer a = memory.allocate("a", DType.F32, 100_000);
        ClBuffer b = memory.allocate("b", DType.F16, 200_000);
        assertEquals(800_000, memory.allocatedBytes());
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> memory.allocate("kvCache", DType.F32, 100_000));
        assertEquals("kvCache", e.bufferName());
        assertTrue(e.getMessage().contains("800,000 bytes already allocated"), e.getMessage());
        assertTrue(e.getMessage().contains("a test budget of 1 MiB"), e.getMessage());
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
        if (dtype.isQuantized()) {
            long n = 5L * dtype.blockElements();
            try (DeviceBuffer b = cl.allocate("zeros", dtype, n)) {
                ByteBuffer bytes = cl.readBytes(b, 0, n);
                assertEquals(dtype.bytesOf(n), bytes.remaining());
                while (bytes.hasRemaining()) {
                    assertEquals(0, bytes.get());
                }
            }
            return;
        }
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

    /** Raw blocks go up and come back byte for byte, at block offsets; copies move whole blocks. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void quantizedBlocksUploadReadAndCopyByteForByte(DType dtype) {
        int block = dtype.blockElements();
        byte[] raw = new byte[3 * dtype.blockBytes()];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) (i * 37 + 11);
        }
        try (DeviceBuffer a = cl.allocate("a", dtype, 5L * block); DeviceBuffer b = cl.allocate("b", dtype, 4L * block)) {
            cl.upload(a, block, ByteBuffer.wrap(raw));
            ByteBuffer all = cl.readBytes(a, 0, 5L * block);
            for (int i = 0; i < all.remaining(); i++) {
                int at = i - dtype.blockBytes();
                byte want = at >= 0 && at < raw.length ? raw[at] : 0;
                assertEquals(want, all.get(i), dtype + " byte " + i);
            }
            cl.copy(a, 2L * block, b, block, 2L * block);
            ByteBuffer copied = cl.readBytes(b, block, 2L * block);
            for (int i = 0; i < copied.remaining(); i++) {
                assertEquals(raw[dtype.blockBytes() + i], copied.get(i), dtype + " copied byte " + i);
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cl.upload(a, 0, ByteBuffer.allocate(dtype.blockBytes() + 2)));
            assertTrue(e.getMessage().contains("not a multiple of " + dtype.blockBytes()), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.upload(a, 1, ByteBuffer.wrap(raw)));
            assertTrue(e.getMessage().contains("dstOffset 1 of 'a' is not a whole number of " + dtype), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.readBytes(a, 0, block + 1));
            assertTrue(e.getMessage().contains("count"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.copy(a, block / 2, b, 0, block));
            assertTrue(e.getMessage().contains("srcOffset"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> cl.write(a, 0, new float[block], 0, block));
            assertTrue(e.getMessage().contains("upload of blocks"), e.getMessage());
        }
    }

    @Test
    void readBytesGivesStoredLittleEndianElements() {
        try (DeviceBuffer b = cl.allocate("h", DType.F16, 4)) {
            cl.write(b, new float[] {1f, -2f, 0.5f, 3f});
            ByteBuffer bytes = cl.readBytes(b, 1, 2);
            assertEquals(4, bytes.remaining());
            assertEquals(Precision.floatToF16(-2f), bytes.getShort(0));
            assertEquals(Precision.floatToF16(0.5f), bytes.getShort(2));
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
