package org.moescope.engine.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.quant.BlockDequantizer;
import org.moescope.engine.backend.quant.RandomBlocks;

/** Quantized buffers of the reference backend: raw blocks in, raw blocks and ggml's decoded values out. */
class JavaBackendQuantizedMemoryTest {
    private static final DType[] QUANTIZED = {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};
    private final JavaBackend backend = new JavaBackend();

    static ByteBuffer randomBlocks(DType type, int blocks, long seed) {
        ByteBuffer b = ByteBuffer.allocate(blocks * type.blockBytes());
        RandomBlocks.fill(type, b, blocks, seed, 0.1f);
        return b;
    }

    static float[] decoded(DType type, ByteBuffer blocks) {
        float[] y = new float[blocks.capacity() / type.blockBytes() * type.blockElements()];
        BlockDequantizer.dequantize(type, blocks.duplicate().position(0), y, 0, y.length);
        return y;
    }

    @Test
    void uploadedBlocksReadBackAsBytesAndAsGgmlDecodesThem() {
        for (DType type : QUANTIZED) {
            int be = type.blockElements();
            ByteBuffer blocks = randomBlocks(type, 3, 5);
            DeviceBuffer b = backend.allocate("w", type, 4L * be);
            backend.upload(b, be, blocks.duplicate());
            ByteBuffer back = backend.readBytes(b, be, 3L * be);
            assertEquals(blocks.duplicate().position(0), back, type + " bytes");
            assertEquals(0, back.position());
            float[] want = decoded(type, blocks);
            assertArrayEquals(want, backend.readFloats(b, be, 3 * be), type + " values");
            // element by element reads across blocks (the one-block cache) give the same values
            float[] second = backend.readFloats(b, 2L * be, be);
            assertArrayEquals(java.util.Arrays.copyOfRange(want, be, 2 * be), second, type + " second block");
            // the untouched first block is all zero bytes, which ggml decodes to ±0 (Q4_0: (0 - 8) * 0 = -0)
            assertArrayEquals(decoded(type, ByteBuffer.allocate(type.blockBytes())), backend.readFloats(b, 0, be),
                    type + " untouched first block");
        }
    }

    @Test
    void partialBlocksAreRefusedWithTheParameterName() {
        DeviceBuffer b = backend.allocate("w", DType.Q4_K, 512);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.upload(b, 0, ByteBuffer.allocate(100)));
        assertTrue(e.getMessage().startsWith("src: 100 bytes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend.upload(b, 32, ByteBuffer.allocate(144)));
        assertTrue(e.getMessage().startsWith("dst: buffer 'w' is Q4_K: offset 32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend.readFloats(b, 0, 100));
        assertTrue(e.getMessage().startsWith("src: buffer 'w' is Q4_K"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> backend.write(b, new float[512]));
        assertTrue(e.getMessage().startsWith("dst: buffer 'w' is Q4_K, expected F32, F16 or BF16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.allocate("odd", DType.Q8_0, 33));
    }

    @Test
    void readBytesGivesLittleEndianElementsOfPlainTypes() {
        DeviceBuffer f = backend.allocate("f", DType.F32, 2);
        backend.write(f, new float[] {1f, -2f});
        assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3F, 0, 0, 0, (byte) 0xC0}, array(backend.readBytes(f, 0, 2)));
        DeviceBuffer h = backend.allocate("h", DType.F16, 2);
        backend.write(h, new float[] {1f, 0.5f});
        assertArrayEquals(new byte[] {0x00, 0x38}, array(backend.readBytes(h, 1, 1)));
        DeviceBuffer bf = backend.allocate("bf", DType.BF16, 1);
        backend.write(bf, new float[] {1f});
        assertArrayEquals(new byte[] {(byte) 0x80, 0x3F}, array(backend.readBytes(bf, 0, 1)));
        DeviceBuffer i = backend.allocate("i", DType.I32, 1);
        backend.write(i, new int[] {0x01020304});
        assertArrayEquals(new byte[] {4, 3, 2, 1}, array(backend.readBytes(i, 0, 1)));
    }

    @Test
    void fillRandomIsTheRandomBlocksDefinition() {
        for (DType type : QUANTIZED) {
            DeviceBuffer b = backend.allocate("w", type, 4L * type.blockElements());
            backend.fillRandom(b, 77, 0.25f);
            ByteBuffer want = ByteBuffer.allocate(4 * type.blockBytes());
            RandomBlocks.fill(type, want, 4, 77, 0.25f);
            assertEquals(want, backend.readBytes(b, 0, b.length()), type.toString());
        }
    }

    @Test
    void fillPutsTheQuantizedConstantInEveryBlock() {
        DeviceBuffer b = backend.allocate("w", DType.Q8_0, 64);
        backend.fill(b, 1f);
        ByteBuffer raw = backend.readBytes(b, 0, 64).order(ByteOrder.LITTLE_ENDIAN);
        // d = 1 / 127 rounded to F16, every quant 127
        short d = Float.floatToFloat16(1f / 127);
        for (int block = 0; block < 2; block++) {
            assertEquals(d, raw.getShort(34 * block));
            for (int j = 0; j < 32; j++) {
                assertEquals(127, raw.get(34 * block + 2 + j));
            }
        }
        float one = 127 * Float.float16ToFloat(d);
        for (float v : backend.readFloats(b, 0, 64)) {
            assertEquals(one, v);
        }
        DeviceBuffer k = backend.allocate("k", DType.Q6_K, 256);
        backend.fill(k, 0f);
        assertArrayEquals(new byte[210], array(backend.readBytes(k, 0, 256)));
    }

    @Test
    void copyMovesBlocksByteForByte() {
        DeviceBuffer a = backend.allocate("a", DType.Q5_K, 3 * 256);
        DeviceBuffer b = backend.allocate("b", DType.Q5_K, 2 * 256);
        backend.fillRandom(a, 3, 1f);
        backend.readFloats(b, 0, 256); // fills b's decoded-block cache, which the copy must drop
        backend.copy(a, 256, b, 0, 512);
        assertEquals(backend.readBytes(a, 256, 512), backend.readBytes(b, 0, 512));
        assertArrayEquals(backend.readFloats(a, 256, 512), backend.readFloats(b, 0, 512));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.copy(a, 0, a, 256, 512));
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.copy(a, 32, b, 0, 256));
        DeviceBuffer c = backend.allocate("c", DType.Q4_K, 256);
        e = assertThrows(IllegalArgumentException.class, () -> backend.copy(a, 0, c, 0, 256));
        assertTrue(e.getMessage().startsWith("dst: buffer 'c' is Q4_K, expected Q5_K"), e.getMessage());
    }

    @Test
    void wrappedBytesAreReadInPlaceAndNotWritten() {
        ByteBuffer file = ByteBuffer.allocateDirect(2 * 144);
        RandomBlocks.fill(DType.Q4_K, file, 2, 9, 0.1f);
        DeviceBuffer w = backend.wrapReadOnly("w", DType.Q4_K, 512, file);
        assertTrue(backend.sharesHostMemory());
        float[] before = backend.readFloats(w, 0, 512);
        assertArrayEquals(decoded(DType.Q4_K, randomBlocks(DType.Q4_K, 2, 9)), before);
        // change element 256's nibble in the caller's bytes (the contract forbids it; here it shows no copy was made),
        // then read block 0 so that block 1 is decoded again
        file.put(144 + 16, (byte) (file.get(144 + 16) ^ 0x0F));
        backend.readFloats(w, 0, 256);
        assertTrue(backend.readFloats(w, 256, 256)[0] != before[256], "the buffer reads the caller's bytes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.fill(w, 0f));
        assertTrue(e.getMessage().startsWith("dst: buffer 'w' is read-only"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> backend.upload(w, 0, ByteBuffer.allocate(144)));

        ByteBuffer floats = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f)
                .flip();
        DeviceBuffer f = backend.wrapReadOnly("f", DType.F32, 2, floats);
        assertArrayEquals(new float[] {1.5f, -3f}, backend.readFloats(f, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> backend.write(f, new float[] {0f, 0f}));
        assertThrows(IllegalArgumentException.class,
                () -> backend.wrapReadOnly("short", DType.Q4_K, 512, ByteBuffer.allocateDirect(144)));
    }

    /** Qwen3-30B-A3B's largest Q4_K tensor, a stacked expert matrix of 128 x 768 x 2048 = 201M weights, fits. */
    @Test
    void aQ4KTensorOf201MillionWeightsFits() {
        long n = 128L * 768 * 2048;
        DeviceBuffer w = backend.allocate("experts", DType.Q4_K, n);
        ByteBuffer last = randomBlocks(DType.Q4_K, 1, 4);
        backend.upload(w, n - 256, last.duplicate());
        assertArrayEquals(decoded(DType.Q4_K, last), backend.readFloats(w, n - 256, 256));
        assertEquals(DType.Q4_K.bytesOf(n), w.bytes());
        w.close();
    }

    @Test
    void blocksBeyondOneByteBufferAreADeviceMemoryError() {
        long n = (JavaBackend.MAX_ELEMENTS / 32) * 32; // fits the element limit, but 34/32 bytes each do not fit
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> backend.allocate("huge", DType.Q8_0, n));
        assertTrue(e.getMessage().contains("huge"), e.getMessage());
    }

    private static byte[] array(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
