package org.moescope.app.control.heatmap;

import java.nio.IntBuffer;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseEvent;
import javafx.scene.text.TextAlignment;
import org.moescope.app.control.CanvasSkin;

/**
 * Draws a {@link RoutingHeatmap}: row labels on the left, cells (one pixel per cell in an image, scaled up without
 * smoothing, so thousands of cells cost one draw), column labels and axis names below, a colour bar with its value
 * name on the right. Changes mark the canvas dirty and the drawing happens once in the next layout pass.
 */
public class RoutingHeatmapSkin extends CanvasSkin<RoutingHeatmap> {

    private static final double TOP = 6;
    private static final double BAR_WIDTH = 12;
    /** Margins and label spacing at the default text size (10 px); they grow with larger text. */
    private static final double DEFAULT_FONT_SIZE = 10;
    private static final double BOTTOM = 34;
    private static final double RIGHT = BAR_WIDTH + 64;
    private static final double MIN_LABEL_SPACING = 12;

    private WritableImage cells;
    private int hoverRow = -1;
    private int hoverCol = -1;
    /** First row drawn: 0 unless a fixed row height leaves rows out (see {@link RoutingHeatmap#fixedRowHeightProperty()}). */
    private int firstRow;

    public RoutingHeatmapSkin(RoutingHeatmap heatmap) {
        super(heatmap, "heatmap-tooltip");

        registerChangeListener(heatmap.dataProperty(), o -> {
            cells = null;
            hoverRow = -1;
            tooltip.setVisible(false);
            markDirty();
        });
        registerChangeListener(heatmap.heatmapScaleProperty(), o -> {
            cells = null;
            markDirty();
        });
        registerChangeListener(heatmap.selectedRowProperty(), o -> markDirty());
        registerChangeListener(heatmap.fixedRowHeightProperty(), o -> markDirty());
        registerChangeListener(heatmap.placeholderProperty(), o -> markDirty());
        registerChangeListener(heatmap.selectedColumnProperty(), o -> markDirty());
        registerChangeListener(heatmap.heatmapBackgroundProperty(), o -> markDirty());
        registerChangeListener(heatmap.heatmapTextFillProperty(), o -> markDirty());
        registerChangeListener(heatmap.heatmapSelectionStrokeProperty(), o -> markDirty());

        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, this::moved);
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> {
            forgetMouse();
            hoverRow = -1;
            tooltip.setVisible(false);
            markDirty();
        });
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int[] cell = cellAt(e.getX(), e.getY());
            if (cell != null) {
                getSkinnable().selectedRowProperty().set(cell[0]);
                getSkinnable().selectedColumnProperty().set(cell[1]);
            }
        });
    }

    private HeatmapData data() {
        return getSkinnable().getData();
    }

    /** How much larger the text is than the default: margins and label spacing grow by it. */
    private double textScale() {
        return Math.max(1, font().getSize() / DEFAULT_FONT_SIZE);
    }

    private double bottom() {
        return BOTTOM * textScale();
    }

    private double right() {
        return BAR_WIDTH + (RIGHT - BAR_WIDTH) * textScale();
    }

    /** Width of the row labels: the longest label, capped. */
    private double left() {
        HeatmapData d = data();
        int longest = d.rowAxis().length();
        for (int r = 0; r < Math.min(d.rows(), 2000); r++) {
            longest = Math.max(longest, d.rowLabel(r).length());
        }
        return Math.min(170 * textScale(), longest * charWidth() + 10) + 14 * textScale();
    }

    private double plotWidth() {
        return Math.max(1, canvas.getWidth() - left() - right());
    }

    private double plotHeight() {
        return Math.max(1, canvas.getHeight() - TOP - bottom());
    }

    /** {row, col} under a point, or null. */
    int[] cellAt(double x, double y) {
        HeatmapData d = data();
        double px = x - left();
        double py = y - TOP;
        if (d.isEmpty() || px < 0 || py < 0 || px >= plotWidth() || py >= plotHeight()) {
            return null;
        }
        int col = (int) (px / plotWidth() * d.cols());
        int shown = (int) (py / rowHeight(d));
        int row = firstRow + shown;
        if (shown >= visibleRows(d) || row >= d.rows()) {
            return null;
        }
        return new int[] {row, Math.min(col, d.cols() - 1)};
    }

    /** Centre of a cell in the control's coordinates. */
    public double[] cellCentre(int row, int col) {
        HeatmapData d = data();
        return new double[] {left() + (col + 0.5) * plotWidth() / d.cols(), TOP + (row - firstRow + 0.5) * rowHeight(d)};
    }

    /** Height of one row: the plot shared by every row, or the control's fixed row height. */
    private double rowHeight(HeatmapData d) {
        double fixed = getSkinnable().fixedRowHeightProperty().get();
        return fixed > 0 ? fixed : plotHeight() / Math.max(1, d.rows());
    }

    /** Rows that fit the plot (every row unless the row height is fixed). */
    private int visibleRows(HeatmapData d) {
        double fixed = getSkinnable().fixedRowHeightProperty().get();
        return fixed > 0 ? Math.max(1, Math.min(d.rows(), (int) (plotHeight() / fixed))) : d.rows();
    }

    /** Moves the window of drawn rows as little as keeps the selected (else the last) row in it. */
    private void scrollToAnchor(HeatmapData d) {
        int visible = visibleRows(d);
        int selected = getSkinnable().selectedRowProperty().get();
        int anchor = selected >= 0 && selected < d.rows() ? selected : d.rows() - 1;
        if (anchor < firstRow) {
            firstRow = anchor;
        } else if (anchor >= firstRow + visible) {
            firstRow = anchor - visible + 1;
        }
        firstRow = Math.max(0, Math.min(firstRow, d.rows() - visible));
    }

    @Override
    protected double computePrefHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + TOP + bottom() + Math.min(480, Math.max(120, data().rows() * 14));
    }

    @Override
    protected double computeMinHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + TOP + bottom() + 60;
    }

    @Override
    protected double computePrefWidth(double height, double top, double right, double bottom, double left) {
        return 640;
    }

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        RoutingHeatmap hm = getSkinnable();
        HeatmapData d = data();
        g.setFill(hm.heatmapBackgroundProperty().get());
        g.fillRect(0, 0, w, h);
        g.setFont(font());
        g.setTextBaseline(VPos.CENTER);
        g.setFill(hm.heatmapTextFillProperty().get());
        if (d.isEmpty()) {
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(hm.getPlaceholder(), w / 2, h / 2);
            g.setTextAlign(TextAlignment.LEFT);
            return;
        }
        double left = left();
        double pw = plotWidth();
        double ph = plotHeight();
        double cw = pw / d.cols();
        double ch = rowHeight(d);
        scrollToAnchor(d);
        int visible = visibleRows(d);
        double drawnHeight = visible * ch;
        if (cells == null) {
            cells = renderCells(d, hm.colorScale());
        }
        g.setImageSmoothing(false);
        g.drawImage(cells, 0, firstRow, d.cols(), visible, left, TOP, pw, drawnHeight);
        if (cw >= 6 && ch >= 6) {
            g.setStroke(hm.heatmapBackgroundProperty().get());
            g.setLineWidth(0.5);
            for (int c = 1; c < d.cols(); c++) {
                g.strokeLine(left + c * cw, TOP, left + c * cw, TOP + drawnHeight);
            }
            for (int r = 1; r < visible; r++) {
                g.strokeLine(left, TOP + r * ch, left + pw, TOP + r * ch);
            }
        }
        drawLabels(g, d, left, pw, ph, cw, ch);
        drawColorBar(g, hm, d, left + pw + 10, ph);
        drawSelection(g, hm, d, left, pw, cw, ch);
    }

    private static WritableImage renderCells(HeatmapData d, ColorScale scale) {
        int[] argb = new int[d.rows() * d.cols()];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.cols(); c++) {
                argb[r * d.cols() + c] = scale.argb(d.value(r, c), d.max());
            }
        }
        WritableImage img = new WritableImage(d.cols(), d.rows());
        img.getPixelWriter().setPixels(0, 0, d.cols(), d.rows(), PixelFormat.getIntArgbInstance(), IntBuffer.wrap(argb), d.cols());
        return img;
    }

    private void drawLabels(GraphicsContext g, HeatmapData d, double left, double pw, double ph, double cw, double ch) {
        RoutingHeatmap hm = getSkinnable();
        g.setFill(hm.heatmapTextFillProperty().get());
        double scale = textScale();
        int rowStride = rowLabelStride((int) Math.ceil(MIN_LABEL_SPACING * scale / ch), d.rowPeriod());
        // what left() made room for, less the rotated axis name and a small gap
        int maxChars = (int) ((left - 14 * scale - 6) / charWidth());
        g.setTextAlign(TextAlignment.RIGHT);
        int end = Math.min(d.rows(), firstRow + visibleRows(d));
        for (int r = firstRow; r < end; r += rowStride) {
            String label = d.rowLabel(r);
            if (label.length() > maxChars) {
                label = label.substring(0, Math.max(1, maxChars - 1)) + "\u2026";
            }
            g.fillText(label, left - 4, TOP + (r - firstRow + 0.5) * ch);
        }
        int widest = Integer.toString(d.cols() - 1).length();
        int colStride = niceStride((int) Math.ceil((widest * charWidth() + 6) / cw));
        g.setTextAlign(TextAlignment.CENTER);
        for (int c = 0; c < d.cols(); c += colStride) {
            g.fillText(d.colLabel(c), left + (c + 0.5) * cw, TOP + ph + 8 * scale);
        }
        g.fillText(d.colAxis() + (colStride > 1 ? " (every " + colStride + ")" : ""), left + pw / 2, TOP + ph + 24 * scale);
        g.save();
        g.translate(8 * scale, TOP + ph / 2);
        g.rotate(-90);
        g.fillText(d.rowAxis(), 0, 0);
        g.restore();
        g.setTextAlign(TextAlignment.LEFT);
    }

    /**
     * Every how many rows a label goes: at least {@code minimum}, and sharing no factor with {@code period}, so
     * that rows which take turns in groups of {@code period} (the sequences of a batch) each get labels; a stride
     * of 2 over 4 sequences would label only sequences 0 and 2.
     */
    public static int rowLabelStride(int minimum, int period) {
        int stride = Math.max(1, minimum);
        while (period > 1 && gcd(stride, period) != 1) {
            stride++;
        }
        return stride;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /** 1, 2, 4, 8, 16, ... so expert labels fall on round ids. */
    private static int niceStride(int minimum) {
        int s = 1;
        while (s < minimum) {
            s *= 2;
        }
        return s;
    }

    private void drawColorBar(GraphicsContext g, RoutingHeatmap hm, HeatmapData d, double x, double ph) {
        ColorScale scale = hm.colorScale();
        int steps = 64;
        for (int i = 0; i < steps; i++) {
            int argb = scale.argb(1 - (i + 0.5) / steps);
            g.setFill(javafx.scene.paint.Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff));
            g.fillRect(x, TOP + i * ph / steps, BAR_WIDTH, ph / steps + 1);
        }
        g.setFill(hm.heatmapTextFillProperty().get());
        double text = textScale();
        String max = format(d.max());
        g.fillText(max, x + BAR_WIDTH + 4, TOP + 5 * text);
        g.fillText("0", x + BAR_WIDTH + 4, TOP + ph - 5 * text);
        g.save();
        // the value name right of the numbers, so that it crosses neither when the bar is short
        double nameX = Math.max(x + BAR_WIDTH + 10 * text, x + BAR_WIDTH + 6 + max.length() * charWidth() + font().getSize() / 2);
        g.translate(Math.min(nameX, canvas.getWidth() - font().getSize() / 2), TOP + ph / 2);
        g.rotate(90);
        g.setTextAlign(TextAlignment.CENTER);
        // left out where the bar is too short to hold it (a small heatmap's caption names the value)
        if (d.valueName().length() * charWidth() <= ph + 2 * TOP) {
            g.fillText(d.valueName(), 0, 0);
        }
        g.restore();
    }

    private static String format(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format(java.util.Locale.ROOT, "%.0f", v)
                : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    private void drawSelection(GraphicsContext g, RoutingHeatmap hm, HeatmapData d, double left, double pw, double cw, double ch) {
        int row = hm.selectedRowProperty().get();
        int col = hm.selectedColumnProperty().get();
        g.setStroke(hm.heatmapSelectionStrokeProperty().get());
        g.setLineWidth(1.5);
        int end = Math.min(d.rows(), firstRow + visibleRows(d));
        if (row >= firstRow && row < end) {
            g.strokeRect(left - 1, TOP + (row - firstRow) * ch - 1, pw + 2, Math.max(2, ch) + 2);
        }
        if (col >= 0 && col < d.cols() && row >= firstRow && row < end) {
            g.setLineWidth(2);
            g.strokeRect(left + col * cw - 1, TOP + (row - firstRow) * ch - 1, Math.max(2, cw) + 2, Math.max(2, ch) + 2);
        }
        if (hoverRow >= firstRow && hoverRow < end) {
            g.setStroke(hm.heatmapTextFillProperty().get());
            g.setLineWidth(1);
            g.strokeRect(left + hoverCol * cw, TOP + (hoverRow - firstRow) * ch, Math.max(1, cw), Math.max(1, ch));
        }
    }

    private void moved(MouseEvent e) {
        trackMouse(e.getX(), e.getY());
        int[] cell = cellAt(e.getX(), e.getY());
        int r = cell == null ? -1 : cell[0];
        int c = cell == null ? -1 : cell[1];
        if (r != hoverRow || c != hoverCol) {
            hoverRow = r;
            hoverCol = c;
            if (cell != null) {
                tooltip.setText(data().describe(r, c));
            }
            markDirty();
        }
        tooltip.setVisible(cell != null);
        getSkinnable().requestLayout();
    }
}
