package org.moescope.app.control.expertgrid;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpertGridLayoutTest {

    @Test
    void blocksAreTheMostSquareFactorPair() {
        assertArrayEquals(new int[] {4, 4}, ExpertGridLayout.blockShape(16));
        assertArrayEquals(new int[] {16, 8}, ExpertGridLayout.blockShape(128));
        assertArrayEquals(new int[] {10, 6}, ExpertGridLayout.blockShape(60));
        assertArrayEquals(new int[] {4, 2}, ExpertGridLayout.blockShape(8));
        assertArrayEquals(new int[] {3, 3}, ExpertGridLayout.blockShape(7), "a prime gets a near-square with a short last row");
    }

    @Test
    void everyCellIsFoundAgainAtItsCentreAndEveryBlockFits() {
        for (int[] c : new int[][] {{16, 4, 500, 300}, {128, 48, 640, 420}, {60, 24, 300, 700}}) {
            ExpertGridLayout l = ExpertGridLayout.of(c[0], c[1], c[2], c[3]);
            for (int layer = 0; layer < c[1]; layer++) {
                for (int e = 0; e < c[0]; e++) {
                    double[] o = l.cellOrigin(layer, e);
                    assertArrayEquals(new int[] {layer, e}, l.cellAt(o[0] + l.cell() / 2, o[1] + l.cell() / 2));
                    assertTrue(o[0] + l.cell() <= c[2] && o[1] + l.cell() <= c[3],
                            "layer " + layer + " expert " + e + " inside " + c[2] + "x" + c[3]);
                }
            }
            assertNull(l.cellAt(l.blockX(0) + 1, l.blockY(0) + 1), "the label line is no cell");
        }
    }

    @Test
    void theFlowPicksTheLargestCells() {
        // 4 blocks of 4 x 4 in a wide strip: one line of four beats two lines of two
        ExpertGridLayout l = ExpertGridLayout.of(16, 4, 800, 120);
        assertTrue(l.blocksPerLine() == 4, "blocks per line " + l.blocksPerLine());
        ExpertGridLayout tall = ExpertGridLayout.of(16, 4, 120, 800);
        assertTrue(tall.blocksPerLine() == 1, "blocks per line " + tall.blocksPerLine());
    }

    @Test
    void cellsStartBelowALabelLineAsHighAsTheText() {
        ExpertGridLayout large = ExpertGridLayout.of(16, 4, 800, 400, 30);
        org.junit.jupiter.api.Assertions.assertEquals(30, large.cellOrigin(0, 0)[1], 1e-9);
        double[] o = large.cellOrigin(2, 5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {2, 5},
                large.cellAt(o[0] + large.cell() / 2, o[1] + large.cell() / 2));
        // a taller label line leaves less height for the cells
        org.junit.jupiter.api.Assertions.assertTrue(
                large.cell() <= ExpertGridLayout.of(16, 4, 800, 400).cell());
    }
}
