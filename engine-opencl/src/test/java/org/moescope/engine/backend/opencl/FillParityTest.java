package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.Precision;
import org.moescope.engine.backend.SyntheticRandom;

/** fillRandom and fill on the device are bit-exact against SyntheticRandom / Precision rounding. */
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
