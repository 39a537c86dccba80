package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The order in which a bench times several items (the weight dtypes of one MUL_MAT_ID case) so that their ratio is
 * of the same minutes: each item's calls are cut into {@code rounds} blocks of back-to-back calls, and every round
 * runs one block of each item, the round's first item moving on by one each round (A B C, B C A, C A B, ...). On a
 * machine whose memory bandwidth drifts from minute to minute, timing F16 and then BF16 one after the other made
 * "BF16 no slower than F16" a verdict on the drift; interleaved, both see it.
 */
public final class InterleavedBlocks {

    /** {@code calls} back-to-back calls of item {@code item}. */
    public record Block(int item, int calls) {
    }

    private InterleavedBlocks() {
    }

    /**
     * Blocks for items with {@code calls[i]} calls each over {@code rounds} rounds; an item gets at most one block per
     * round, and one call per block when it has fewer calls than rounds. Every item's blocks add up to its calls.
     */
    public static List<Block> of(int[] calls, int rounds) {
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds must be >= 1, got " + rounds);
        }
        for (int c : calls) {
            if (c < 1) {
                throw new IllegalArgumentException("every item needs at least one call, got " + c);
            }
        }
        List<Block> blocks = new ArrayList<>();
        int[] left = calls.clone();
        for (int r = 0; r < rounds; r++) {
            for (int j = 0; j < calls.length; j++) {
                int item = (r + j) % calls.length;
                // an equal share of what is left over the rounds left, so the blocks differ by at most one call
                int share = (left[item] + (rounds - r) - 1) / (rounds - r);
                if (share > 0) {
                    blocks.add(new Block(item, share));
                    left[item] -= share;
                }
            }
        }
        return blocks;
    }
}
