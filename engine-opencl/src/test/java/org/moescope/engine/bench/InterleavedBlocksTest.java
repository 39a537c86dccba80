package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.bench.InterleavedBlocks.Block;

class InterleavedBlocksTest {

    @Test
    void twoItemsAlternateWhichGoesFirst() {
        assertEquals(List.of(new Block(0, 4), new Block(1, 2), new Block(1, 2), new Block(0, 3),
                new Block(0, 3), new Block(1, 2)), InterleavedBlocks.of(new int[] {10, 6}, 3));
    }

    @Test
    void everyItemGetsAllItsCallsInNearlyEqualBlocksOnePerRound() {
        int[][] cases = {{86, 86, 43}, {5, 5, 5}, {200, 7, 1}, {3}, {12, 13}};
        for (int rounds = 1; rounds <= 7; rounds++) {
            for (int[] calls : cases) {
                List<Block> blocks = InterleavedBlocks.of(calls, rounds);
                for (int item = 0; item < calls.length; item++) {
                    final int it = item;
                    List<Block> mine = blocks.stream().filter(b -> b.item() == it).toList();
                    assertEquals(calls[item], mine.stream().mapToInt(Block::calls).sum(), "all calls of item " + item);
                    assertEquals(Math.min(rounds, calls[item]), mine.size(), "one block per round while calls last");
                    int min = mine.stream().mapToInt(Block::calls).min().orElseThrow();
                    int max = mine.stream().mapToInt(Block::calls).max().orElseThrow();
                    assertTrue(max - min <= 1, "blocks differ by at most one call: " + mine);
                }
            }
        }
    }

    @Test
    void theFirstItemOfARoundMovesOnByOne() {
        List<Block> blocks = InterleavedBlocks.of(new int[] {9, 9, 9}, 3);
        assertEquals(List.of(0, 1, 2, 1, 2, 0, 2, 0, 1), blocks.stream().map(Block::item).toList());
    }

    @Test
    void refusesNoRoundsAndItemsWithoutCalls() {
        assertThrows(IllegalArgumentException.class, () -> InterleavedBlocks.of(new int[] {3}, 0));
        assertThrows(IllegalArgumentException.class, () -> InterleavedBlocks.of(new int[] {3, 0}, 2));
    }
}
