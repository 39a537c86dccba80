package org.moescope.app.control.expertgrid;

/**
 * Where an {@link ExpertGrid} draws each layer's little grid and each expert's cell: every layer is a block of
 * {@code columns × rows} cells (expert {@code e} at column {@code e % columns}, row {@code e / columns}) with its
 * label above, and the blocks flow left to right, then down, with as many per line as gives the largest cells.
 * Pure geometry, no JavaFX.
 */
public final class ExpertGridLayout {
    /** Height of a block's label line at the default text size. */
    public static final double LABEL_HEIGHT = 14;
    /** Space between blocks. */
    public static final double GAP = 8;

    private final int experts;
    private final int layers;
    private final int columns;
    private final int rows;
    private final int blocksPerLine;
    private final double cell;
    private final double labelHeight;

    private ExpertGridLayout(int experts, int layers, int columns, int rows, int blocksPerLine, double cell,
                             double labelHeight) {
        this.labelHeight = labelHeight;
        this.experts = experts;
        this.layers = layers;
        this.columns = columns;
        this.rows = rows;
        this.blocksPerLine = blocksPerLine;
        this.cell = cell;
    }

    /** The layout of {@code layers} blocks of {@code experts} cells in a {@code width × height} area. */
    public static ExpertGridLayout of(int experts, int layers, double width, double height) {
        return of(experts, layers, width, height, LABEL_HEIGHT);
    }

    /** As {@link #of(int, int, double, double)}, with label lines {@code labelHeight} high (they follow the text size). */
    public static ExpertGridLayout of(int experts, int layers, double width, double height, double labelHeight) {
        if (experts < 1 || layers < 1) {
            throw new IllegalArgumentException("experts and layers must be >= 1, got " + experts + " and " + layers);
        }
        int[] shape = blockShape(experts);
        int columns = shape[0];
        int rows = shape[1];
        int bestPerLine = 1;
        double bestCell = -1;
        for (int perLine = 1; perLine <= layers; perLine++) {
            int lines = (layers + perLine - 1) / perLine;
            double byWidth = (width - GAP * (perLine - 1)) / (perLine * columns);
            double byHeight = (height - lines * labelHeight - GAP * (lines - 1)) / (lines * rows);
            double cell = Math.min(byWidth, byHeight);
            if (cell > bestCell) {
                bestCell = cell;
                bestPerLine = perLine;
            }
        }
        return new ExpertGridLayout(experts, layers, columns, rows, bestPerLine, Math.max(1, Math.floor(bestCell)),
                labelHeight);
    }

    /**
     * Columns and rows of one layer's block: the factor pair of {@code experts} closest to square with at least
     * as many columns as rows (16 → 4 × 4, 128 → 16 × 8, 60 → 10 × 6); a count with no such pair within a ratio
     * of 4 (a prime) takes {@code ceil(sqrt(E))} columns and leaves the last row short.
     */
    public static int[] blockShape(int experts) {
        int bestColumns = experts;
        for (int rows = 1; rows * rows <= experts; rows++) {
            if (experts % rows == 0) {
                bestColumns = experts / rows;
            }
        }
        int bestRows = experts / bestColumns;
        if (bestColumns > 4 * bestRows) {
            bestColumns = (int) Math.ceil(Math.sqrt(experts));
            bestRows = (experts + bestColumns - 1) / bestColumns;
        }
        return new int[] {bestColumns, bestRows};
    }

    public int columns() {
        return columns;
    }

    public int rows() {
        return rows;
    }

    public int blocksPerLine() {
        return blocksPerLine;
    }

    /** Side of one cell in pixels (at least 1). */
    public double cell() {
        return cell;
    }

    /** Left edge of layer block {@code layer}'s cells. */
    public double blockX(int layer) {
        return (layer % blocksPerLine) * (columns * cell + GAP);
    }

    /** Top edge of layer block {@code layer}'s label; its cells start {@link #labelHeight()} lower. */
    public double blockY(int layer) {
        return (layer / blocksPerLine) * (labelHeight + rows * cell + GAP);
    }

    /** {x, y} of the top-left corner of expert {@code expert}'s cell in layer block {@code layer}. */
    public double[] cellOrigin(int layer, int expert) {
        return new double[] {blockX(layer) + (expert % columns) * cell,
                blockY(layer) + labelHeight + (expert / columns) * cell};
    }

    /** {layer, expert} of the cell under a point, or null. */
    public int[] cellAt(double x, double y) {
        if (x < 0 || y < 0) {
            return null;
        }
        double blockWidth = columns * cell + GAP;
        double blockHeight = labelHeight + rows * cell + GAP;
        int bx = (int) (x / blockWidth);
        int by = (int) (y / blockHeight);
        if (bx >= blocksPerLine) {
            return null;
        }
        int layer = by * blocksPerLine + bx;
        double cx = x - bx * blockWidth;
        double cy = y - by * blockHeight - labelHeight;
        if (layer >= layers || cy < 0 || cx >= columns * cell || cy >= rows * cell) {
            return null;
        }
        int expert = (int) (cy / cell) * columns + (int) (cx / cell);
        return expert < experts ? new int[] {layer, expert} : null;
    }

    /** Height of a block's label line. */
    public double labelHeight() {
        return labelHeight;
    }
}
