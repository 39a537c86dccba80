package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.Router;
import org.moescope.engine.moe.Routing;

/**
 * OpenCL routeTopk against the Java reference (the host Router): ids equal exactly, weights within 1e-6.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteParityTest {
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    @ParameterizedTest(name = "tokens={0} experts={1} k={2} norm={3}")
    @CsvSource({
            "1, 128, 8, true",      // decode, Qwen3-30B-A3B shape
            "37, 130, 8, false",    // experts not a multiple of the work-group size
            "512, 128, 8, true",    // prefill
            "5, 8, 8, true",        // k == experts
            "3, 300, 4, true",      // more experts than work-items
            "4, 1, 1, false",       // a single expert
            "9, 60, 1, true"})
    void matchesHostRouter(int tokens, int experts, int k, boolean norm) {
        var logits = f.random("logits", DType.F32, (long) tokens * experts, 11 + tokens, 6f);
        assertRouteMatches(logits, tokens, experts, k, norm);
    }

    @Test
    void exactTiesGoToTheLowerExpertIndex() {
        int experts = 300;
        int k = 4;
        float[] logits = new float[3 * experts];
        // row 0: all equal; row 1: the top value at 250, 6 and 70 (different work-items); row 2: two equal pairs
        Arrays.fill(logits, 0, experts, 0.25f);
        logits[experts + 250] = 3f;
        logits[experts + 6] = 3f;
        logits[experts + 70] = 3f;
        logits[experts + 299] = 1f;
        logits[2 * experts + 9] = 2f;
        logits[2 * experts + 4] = 2f;
        logits[2 * experts + 200] = 1.5f;
        logits[2 * experts + 135] = 1.5f;
        var twin = f.floats("logits", logits);
        var ids = f.zeros("ids", DType.I32, 3L * k);
        var weights = f.zeros("weights", DType.F32, 3L * k);
        f.cl.routeTopk(twin.cl(), ids.cl(), weights.cl(), 3, experts, k, true);
        assertArrayEquals(new int[] {0, 1, 2, 3, 6, 70, 250, 299, 4, 9, 135, 200}, f.cl.readInts(ids.cl(), 0, 3 * k));
        float[] w = f.clFloats(weights, 3 * k);
        for (int s = 0; s < k; s++) {
            assertEquals(0.25f, w[s], 1e-6f, "row 0 renormalised weights are uniform");
        }
        assertRouteMatches(twin, 3, experts, k, false);
    }

    private void assertRouteMatches(MoeParityFixture.Twin logits, int tokens, int experts, int k, boolean norm) {
        var ids = f.zeros("ids", DType.I32, (long) tokens * k);
        var weights = f.zeros("weights", DType.F32, (long) tokens * k);
        f.cl.routeTopk(logits.cl(), ids.cl(), weights.cl(), tokens, experts, k, norm);
        Routing host = Router.route(f.java.readFloats(logits.java(), 0, tokens * experts), tokens, experts, k, norm);
        assertArrayEquals(host.ids(), f.cl.readInts(ids.cl(), 0, tokens * k), "ids");
        float[] got = f.clFloats(weights, tokens * k);
        for (int i = 0; i < got.length; i++) {
            assertEquals(host.weights()[i], got[i], 1e-6f, "weight " + i);
        }
    }
}
