package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;

/**
 * The Q8-activation kernels in portable OpenCL C ({@code moescope.cl.X86_BUILTINS=0}): on an AVX-512BW host POCL
 * would otherwise build their x86-builtin path, and the portable one, which every other device runs, would go
 * untested there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PortableQ8ParityTest {

    @AutoClose
    private final MoeParityFixture f = portable();

    private static MoeParityFixture portable() {
        String key = "moescope.cl.X86_BUILTINS";
        String old = System.getProperty(key);
        System.setProperty(key, "0");
        try {
            MoeParityFixture fixture = new MoeParityFixture();
            assertFalse(fixture.cl.launcher().tuning().hostBuiltins(), "tuning override " + key + " had no effect");
            return fixture;
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.moescope.engine.backend.opencl.QuantizedParityTest#q8Cases")
    void q8ActivationsInPortableOpenClC(String label, DType dtype, MoeKernelTuning tuning) {
        QuantizedParityTest.checkQ8Activations(f, label, dtype, tuning);
    }
}
