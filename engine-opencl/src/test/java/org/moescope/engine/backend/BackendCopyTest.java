package org.moescope.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.model.TestBackends;

/** Backend.copy of 16-bit buffers (the KV caches of a batch's sequences) on every backend: bits kept, types checked. */
class BackendCopyTest {

    static Iterable<String> kinds() {
        return TestBackends.kinds();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void copyMovesSixteenBitElementsBitForBitAndRefusesMixedTypes(String kind) {
        try (Backend backend = TestBackends.open(kind)) {
            for (DType t : new DType[] {DType.F16, DType.BF16}) {
                try (DeviceBuffer a = backend.allocate("a", t, 7); DeviceBuffer b = backend.allocate("b", t, 7);
                     DeviceBuffer f = backend.allocate("f", DType.F32, 7)) {
                    backend.write(a, new float[] {1.1f, -2.5f, 3.14159f, 1e-3f, 60000f, -0.0f, 7f});
                    float[] stored = backend.readFloats(a, 0, 7);
                    backend.copy(a, 1, b, 2, 5);
                    float[] got = backend.readFloats(b, 0, 7);
                    float[] want = {0, 0, stored[1], stored[2], stored[3], stored[4], stored[5]};
                    for (int i = 0; i < 7; i++) {
                        assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]),
                                kind + " " + t + " element " + i);
                    }
                    IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                            () -> backend.copy(a, 0, f, 0, 3));
                    assertTrue(mixed.getMessage().contains("F32") && mixed.getMessage().contains(t.toString()),
                            mixed.getMessage());
                }
            }
        }
    }
}
