package org.moescope.engine.backend.opencl;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moescope.engine.backend.DType;

/**
 * OpenCL weightedSum and weightedSumResidual (with and without the fused next-layer RMSNorm, every norm dtype)
 * against the Java reference, within 1e-5 * (1 + |reference|).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoeSumParityTest {
    private static final double TOLERANCE = 1e-5;
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    @ParameterizedTest(name = "tokens={0} k={1} hidden={2}")
    @CsvSource({"1, 8, 2048", "37, 4, 67", "512, 8, 24", "3, 1, 130"})
    void weightedSumMatchesReference(int tokens, int k, int hidden) {
        var down = f.random("down", DType.F32, (long) tokens * k * hidden, 71, 2f);
        var weights = f.random("weights", DType.F32, (long) tokens * k, 72, 1f);
        var out = f.zeros("out", DType.F32, (long) tokens * hidden);
        f.java.weightedSum(down.java(), weights.java(), out.java(), tokens, k, hidden);
        f.cl.fill(out.cl(), Float.NaN);
        f.cl.weightedSum(down.cl(), weights.cl(), out.cl(), tokens, k, hidden);
        f.assertClose(out, tokens * hidden, TOLERANCE, "out");
    }

    @ParameterizedTest(name = "tokens={0} k={1} hidden={2} norm={3}")
    @CsvSource({
            "1, 8, 2048, none", "1, 8, 2048, F32", "1, 8, 2048, F16", "1, 8, 2048, BF16",
            "37, 4, 67, none", "37, 4, 67, BF16", "512, 8, 24, F16", "3, 1, 130, F32", "2, 2, 1000, F32"})
    void weightedSumResidualMatchesReference(int tokens, int k, int hidden, String norm) {
        var down = f.random("down", DType.F32, (long) tokens * k * hidden, 81, 2f);
        var weights = f.random("weights", DType.F32, (long) tokens * k, 82, 1f);
        var residual = f.random("residual", DType.F32, (long) tokens * hidden, 83, 3f);
        MoeParityFixture.Twin nextNorm = null;
        MoeParityFixture.Twin normOut = null;
        if (!norm.equals("none")) {
            nextNorm = f.random("nextNorm", DType.valueOf(norm), hidden, 84, 1.5f);
            normOut = f.zeros("normOut", DType.F32, (long) tokens * hidden);
            f.cl.fill(normOut.cl(), Float.NaN);
        }
        float eps = 1e-6f;
        f.java.weightedSumResidual(down.java(), weights.java(), residual.java(),
                nextNorm == null ? null : nextNorm.java(), normOut == null ? null : normOut.java(),
                tokens, k, hidden, eps);
        f.cl.weightedSumResidual(down.cl(), weights.cl(), residual.cl(),
                nextNorm == null ? null : nextNorm.cl(), normOut == null ? null : normOut.cl(),
                tokens, k, hidden, eps);
        f.assertClose(residual, tokens * hidden, TOLERANCE, "residual");
        if (normOut != null) {
            f.assertClose(normOut, tokens * hidden, TOLERANCE, "normOut");
        }
    }
}
