package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.SyntheticRandom;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.backend.quant.BlockDequantizer;
import org.moescope.engine.backend.quant.RandomBlocks;

/**
 * fillRandom and fill on the device are bit-exact against SyntheticRandom / Precision rounding, and fillRandom of a
 * quantized buffer gives RandomBlocks' bytes, which readFloats dequantizes as BlockDequantizer does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FillParityTest {
    @AutoClose
    private final OpenClBackend cl = OpenClTestSupport.openOrSkip();

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void fillRandomIsBitExact(DType dtype) {
        int n = 4099;
        long seed = 0x1234_5678_9abcL;
        float scale = 0.37f;
        try (DeviceBuffer b = cl.allocate("random." + dtype, dtype, n)) {
            cl.fillRandom(b, seed, scale);
            float[] got = cl.readFloats(b, 0, n);
            for (int i = 0; i < n; i++) {
                float want = Precision.roundTo(dtype, SyntheticRandom.value(i, seed, scale));
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]),
                        dtype + " element " + i + ": want " + want + ", got " + got[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void fillRandomOfQuantizedBuffersGivesRandomBlocks(DType dtype) {
        int blocks = 37;
        long n = (long) blocks * dtype.blockElements();
        long seed = 0x1234_5678_9abcL;
        float scale = 0.37f;
        ByteBuffer want = ByteBuffer.allocate(blocks * dtype.blockBytes()).order(ByteOrder.LITTLE_ENDIAN);
        RandomBlocks.fill(dtype, want, blocks, seed, scale);
        try (DeviceBuffer b = cl.allocate("random." + dtype, dtype, n)) {
            cl.fillRandom(b, seed, scale);
            ByteBuffer got = cl.readBytes(b, 0, n);
            for (int i = 0; i < want.capacity(); i++) {
                assertEquals(want.get(i), got.get(i), dtype + " byte " + i + " (block " + i / dtype.blockBytes()
                        + ", offset " + i % dtype.blockBytes() + ")");
            }
            float[] values = new float[(int) n];
            BlockDequantizer.dequantize(dtype, want, values, 0, (int) n);
            float[] read = cl.readFloats(b, 0, (int) n);
            float[] window = cl.readFloats(b, 3L * dtype.blockElements(), 2 * dtype.blockElements());
            double largest = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(read[i]), dtype + " value " + i);
                largest = Math.max(largest, Math.abs(values[i]));
            }
            for (int i = 0; i < window.length; i++) {
                assertEquals(values[3 * dtype.blockElements() + i], window[i], 0f, dtype + " window value " + i);
            }
            assertTrue(largest > 0.2 * scale && largest < 1.2 * scale, dtype + " values spread to " + largest);
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void fillOfQuantizedBuffersGivesTheQuantizedConstantBlock(DType dtype) {
        float value = -0.3f;
        long n = 70L * dtype.blockElements();
        try (DeviceBuffer b = cl.allocate("const." + dtype, dtype, n); JavaBackend java = new JavaBackend();
             DeviceBuffer ref = java.allocate("const." + dtype, dtype, n)) {
            cl.fill(b, value);
            java.fill(ref, value);
            ByteBuffer got = cl.readBytes(b, 0, n);
            ByteBuffer want = java.readBytes(ref, 0, n);
            for (int i = 0; i < want.remaining(); i++) {
                assertEquals(want.get(want.position() + i), got.get(got.position() + i), dtype + " byte " + i);
            }
            float[] values = cl.readFloats(b, 0, (int) n);
            for (float v : values) {
                assertEquals(values[0], v, 0f, dtype + ": every block the same");
            }
            assertEquals(value, values[0], 0.05f, dtype + " quantized constant");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F16", "BF16"})
    void fillStoresTheRoundedConstant(DType dtype) {
        float value = 1.0f / 3.0f;
        try (DeviceBuffer b = cl.allocate("const." + dtype, dtype, 67)) {
            cl.fill(b, value);
            float want = Precision.roundTo(dtype, value);
            for (float got : cl.readFloats(b, 0, 67)) {
                assertEquals(want, got, 0.0f);
            }
        }
    }
}
