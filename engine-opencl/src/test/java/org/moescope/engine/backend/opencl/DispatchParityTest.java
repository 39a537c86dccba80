package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.DispatchPlan;

/**
 * OpenCL buildDispatch against the host {@link DispatchPlan#fromIds}: counts, offsets and sortedPairs equal exactly,
 * and the work list holds exactly the tiles of the non-empty experts, in expert then row order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DispatchParityTest {
    @AutoClose
    private final MoeParityFixture f = new MoeParityFixture();

    @AfterEach
    void releaseBuffers() {
        f.releaseBuffers();
    }

    /** Routing patterns: (label, tokens, experts, k, ids). */
    static Stream<Arguments> patterns() {
        Random r = new Random(7);
        return Stream.of(
                Arguments.of("decode", 1, 128, 8, distinctPerToken(r, 1, 128, 8)),
                Arguments.of("random", 37, 130, 8, distinctPerToken(r, 37, 130, 8)),
                Arguments.of("prefill 512", 512, 128, 8, distinctPerToken(r, 512, 128, 8)),
                Arguments.of("k == experts", 6, 5, 5, distinctPerToken(r, 6, 5, 5)),
                Arguments.of("all to one expert", 300, 16, 1, filled(300, 3)),
                Arguments.of("skewed, expert 0 and 5 empty", 200, 8, 2, skewed(r, 200, 2)),
                Arguments.of("more experts than work-items", 20, 600, 2, distinctPerToken(r, 20, 600, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("patterns")
    void matchesHostPlanWithDeviceTileRows(String label, int tokens, int experts, int k, int[] ids) {
        assertDispatch(tokens, experts, k, ids, f.cl.groupedGemmTileRows());
    }

    @ParameterizedTest(name = "{0}, 7-row tiles")
    @MethodSource("patterns")
    void matchesHostPlanWithOddTileRows(String label, int tokens, int experts, int k, int[] ids) {
        assertDispatch(tokens, experts, k, ids, 7);
    }

    private void assertDispatch(int tokens, int experts, int k, int[] ids, int tileRows) {
        int pairs = tokens * k;
        int maxTiles = DispatchPlan.maxTiles(pairs, experts, tileRows);
        var selected = f.ints("selectedIds", ids);
        var counts = f.clBuffer("counts", DType.I32, experts);
        var offsets = f.clBuffer("offsets", DType.I32, experts + 1L);
        var sorted = f.clBuffer("sortedPairs", DType.I32, pairs);
        var workList = f.clBuffer("workList", DType.I32, 2L * maxTiles + 1);
        f.cl.write(sorted, filled(pairs, -1));          // every slot must be written
        f.cl.write(workList, filled(2 * maxTiles + 1, -1));
        f.cl.buildDispatch(selected.cl(), counts, offsets, sorted, workList, tokens, experts, k, tileRows);

        DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
        assertArrayEquals(plan.counts(), f.cl.readInts(counts, 0, experts), "counts");
        assertArrayEquals(plan.offsets(), f.cl.readInts(offsets, 0, experts + 1), "offsets");
        assertArrayEquals(plan.sortedPairs(), f.cl.readInts(sorted, 0, pairs), "sortedPairs");

        int[] expected = expectedWorkList(plan, experts, tileRows);
        int[] got = f.cl.readInts(workList, 0, expected.length);
        assertEquals(expected[0], got[0], "tile count");
        assertArrayEquals(expected, got, "work list");
    }

    /** [n, (expert, firstRow) * n] for every tileRows-row tile of every non-empty expert. */
    static int[] expectedWorkList(DispatchPlan plan, int experts, int tileRows) {
        int[] list = new int[1];
        int n = 0;
        for (int e = 0; e < experts; e++) {
            for (int row = 0; row < plan.counts()[e]; row += tileRows) {
                list = Arrays.copyOf(list, 3 + 2 * n);
                list[1 + 2 * n] = e;
                list[2 + 2 * n] = row;
                n++;
            }
        }
        list[0] = n;
        return list;
    }

    /** k distinct experts per token, as top-k routing gives. */
    static int[] distinctPerToken(Random r, int tokens, int experts, int k) {
        int[] ids = new int[tokens * k];
        for (int t = 0; t < tokens; t++) {
            int[] perm = r.ints(0, experts).distinct().limit(k).toArray();
            System.arraycopy(perm, 0, ids, t * k, k);
        }
        return ids;
    }

    static int[] filled(int n, int expert) {
        int[] ids = new int[n];
        Arrays.fill(ids, expert);
        return ids;
    }

    /** Two distinct experts per token out of {1, 2, 3, 4, 6, 7}, most tokens on 1 and 2. */
    static int[] skewed(Random r, int tokens, int k) {
        int[] choices = {1, 1, 1, 2, 2, 3, 4, 6, 7};
        int[] ids = new int[tokens * k];
        for (int t = 0; t < tokens; t++) {
            int a = choices[r.nextInt(choices.length)];
            int b;
            do {
                b = choices[r.nextInt(choices.length)];
            } while (b == a);
            ids[t * k] = a;
            ids[t * k + 1] = b;
        }
        return ids;
    }
}
