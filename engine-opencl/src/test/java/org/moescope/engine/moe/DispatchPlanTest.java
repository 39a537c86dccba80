package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DispatchPlanTest {

    @Test
    void countsOffsetsAndSortedPairs() {
        // 3 tokens, k = 2: pairs (t, s) -> expert
        int[] ids = {1, 3, 3, 0, 1, 3};
        DispatchPlan plan = DispatchPlan.fromIds(ids, 3, 4, 2);
        assertArrayEquals(new int[] {1, 2, 0, 3}, plan.counts());
        assertArrayEquals(new int[] {0, 1, 3, 3, 6}, plan.offsets());
        assertArrayEquals(new int[] {3, 0, 4, 1, 2, 5}, plan.sortedPairs());
        assertEquals(3, plan.maxPerExpert());
    }

    @Test
    void randomRoutingsAreBucketedAndBoundedByMaxTiles() {
        Random r = new Random(5);
        for (int trial = 0; trial < 500; trial++) {
            int experts = 1 + r.nextInt(64);
            int k = 1 + r.nextInt(Math.min(experts, 8));
            int tokens = 1 + r.nextInt(300);
            int tileRows = new int[] {1, 4, 16, 32}[r.nextInt(4)];
            int[] ids = new int[tokens * k];
            // skewed half the time: most pairs on few experts
            boolean skewed = r.nextBoolean();
            for (int t = 0; t < tokens; t++) {
                java.util.Set<Integer> chosen = new java.util.HashSet<>();
                for (int s = 0; s < k; s++) {
                    int e;
                    do {
                        e = skewed && r.nextInt(4) > 0 ? r.nextInt(Math.min(experts, k + 1)) : r.nextInt(experts);
                    } while (!chosen.add(e));
                    ids[t * k + s] = e;
                }
            }
            DispatchPlan plan = DispatchPlan.fromIds(ids, tokens, experts, k);
            int tiles = 0;
            int max = 0;
            for (int e = 0; e < experts; e++) {
                int n = plan.offsets()[e + 1] - plan.offsets()[e];
                assertEquals(plan.counts()[e], n);
                int previous = -1;
                for (int i = plan.offsets()[e]; i < plan.offsets()[e + 1]; i++) {
                    int p = plan.sortedPairs()[i];
                    assertEquals(e, ids[p], "pair " + p + " sits in expert " + e + "'s segment");
                    assertTrue(p > previous, "ascending within an expert");
                    previous = p;
                }
                tiles += (n + tileRows - 1) / tileRows;
                max = Math.max(max, n);
            }
            assertEquals(tokens * k, plan.offsets()[experts]);
            assertEquals(max, plan.maxPerExpert());
            int bound = DispatchPlan.maxTiles(tokens * k, experts, tileRows);
            assertTrue(tiles <= bound, tiles + " tiles > maxTiles " + bound);
            assertTrue(DispatchPlan.directTiles(experts, max, tileRows) >= tiles);
        }
    }

    @Test
    void unevenCountsNeedMoreTilesThanAnEvenSplitButStayWithinMaxTiles() {
        // 4 experts with 17 pairs each, tiles of 16: 2 tiles each = 8, where 68 pairs alone would fill 5
        int[] ids = new int[68];
        for (int p = 0; p < 68; p++) {
            ids[p] = p % 4;
        }
        DispatchPlan plan = DispatchPlan.fromIds(ids, 68, 4, 1);
        assertEquals(17, plan.maxPerExpert());
        int tiles = 0;
        for (int c : plan.counts()) {
            tiles += (c + 15) / 16;
        }
        assertEquals(8, tiles);
        assertEquals(9, DispatchPlan.maxTiles(68, 4, 16));
        assertEquals(8, DispatchPlan.directTiles(4, 17, 16));
    }

    @Test
    void badIdsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DispatchPlan.fromIds(new int[] {0, 4}, 1, 4, 2)).getMessage().startsWith("ids[1] = 4"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> DispatchPlan.fromIds(new int[] {0}, 1, 4, 2)).getMessage().startsWith("ids:"));
    }
}
