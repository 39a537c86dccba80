package org.moescope.app.control.heatmap;

import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The matrix a {@link RoutingHeatmap} draws: {@code rows × cols} values, row-major, with axis names, labels and a
 * hover description per cell. Values are read as given; the colour scale runs from 0 to {@link #max()}. Immutable.
 */
public final class HeatmapData {

    /** Text shown when hovering a cell. */
    @FunctionalInterface
    public interface CellText {
        String describe(int row, int col);
    }

    private static final HeatmapData EMPTY = new HeatmapData(0, 0, new double[0], "", "", "",
            i -> "", i -> "", (r, c) -> "");

    private final int rows;
    private final int cols;
    private final double[] values;
    private final double max;
    private final String rowAxis;
    private final String colAxis;
    private final String valueName;
    private final IntFunction<String> rowLabel;
    private final IntFunction<String> colLabel;
    private final CellText cellText;
    private final int rowPeriod;

    /**
     * @param values    {@code [rows * cols]} row-major, finite and &gt;= 0
     * @param valueName what a cell holds, with its unit, e.g. "routing weight" or "tokens routed"
     */
    public HeatmapData(int rows, int cols, double[] values, String rowAxis, String colAxis, String valueName,
                       IntFunction<String> rowLabel, IntFunction<String> colLabel, CellText cellText) {
        this(rows, cols, values, rowAxis, colAxis, valueName, rowLabel, colLabel, cellText, 1);
    }

    private HeatmapData(int rows, int cols, double[] values, String rowAxis, String colAxis, String valueName,
                        IntFunction<String> rowLabel, IntFunction<String> colLabel, CellText cellText, int rowPeriod) {
        if (rowPeriod < 1) {
            throw new IllegalArgumentException("rowPeriod must be >= 1, got " + rowPeriod);
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("rows and cols must be >= 0, got " + rows + " x " + cols);
        }
        if (values.length != rows * cols) {
            throw new IllegalArgumentException("values must hold rows*cols = " + rows * cols + " entries, got " + values.length);
        }
        double m = 0;
        for (double v : values) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("values must be finite and >= 0, got " + v);
            }
            m = Math.max(m, v);
        }
        this.rows = rows;
        this.cols = cols;
        this.values = values;
        this.max = m;
        this.rowAxis = Objects.requireNonNull(rowAxis, "rowAxis");
        this.colAxis = Objects.requireNonNull(colAxis, "colAxis");
        this.valueName = Objects.requireNonNull(valueName, "valueName");
        this.rowLabel = Objects.requireNonNull(rowLabel, "rowLabel");
        this.colLabel = Objects.requireNonNull(colLabel, "colLabel");
        this.cellText = Objects.requireNonNull(cellText, "cellText");
        this.rowPeriod = rowPeriod;
    }

    /**
     * The same matrix whose rows come in groups of {@code period} that take turns (the sequences of a batched
     * decode step), so that a heatmap too dense to label every row still labels rows of every group member.
     */
    public HeatmapData withRowPeriod(int period) {
        return new HeatmapData(rows, cols, values, rowAxis, colAxis, valueName, rowLabel, colLabel, cellText, period);
    }

    /** Rows take turns in groups of this many (1: no such pattern). */
    public int rowPeriod() {
        return rowPeriod;
    }

    public static HeatmapData empty() {
        return EMPTY;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public double value(int row, int col) {
        return values[row * cols + col];
    }

    /** Largest value (0 for an empty or all-zero matrix). */
    public double max() {
        return max;
    }

    public String rowAxis() {
        return rowAxis;
    }

    public String colAxis() {
        return colAxis;
    }

    public String valueName() {
        return valueName;
    }

    public String rowLabel(int row) {
        return rowLabel.apply(row);
    }

    public String colLabel(int col) {
        return colLabel.apply(col);
    }

    public String describe(int row, int col) {
        return cellText.describe(row, col);
    }

    public boolean isEmpty() {
        return rows == 0 || cols == 0;
    }
}
