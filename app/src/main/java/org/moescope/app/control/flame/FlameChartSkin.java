package org.moescope.app.control.flame;

import java.util.HashMap;
import java.util.Map;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Region;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.input.ZoomEvent;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.text.TextAlignment;
import org.moescope.app.control.CanvasSkin;

/**
 * Draws a {@link FlameChart} on one Canvas: an axis, then one row per depth. Every change (data, window,
 * selection, hover, CSS, size) only marks the canvas dirty and requests layout, and the drawing happens in the next
 * layout pass ({@link CanvasSkin}), so any number of changes collapse into one redraw per pulse. Each row is culled
 * to the window and sub-pixel boxes are merged by {@link FlameLayout#visit}, so a zoomed-out run of 50k spans draws
 * about one rectangle per pixel per row.
 */
public class FlameChartSkin extends CanvasSkin<FlameChart> {

    static final double AXIS_HEIGHT = 22;
    /** Left margin holding the row names at the default text size; time starts right of it. */
    public static final double GUTTER = 56;
    private static final String[] ROW_NAMES = {"step", "layer", "block", "stage"};
    private static final double ROW_GAP = 1;
    private static final double DRAG_THRESHOLD = 3;
    private static final double HOVER_TOLERANCE_PX = 3;

    private final Map<String, Paint> paintCache = new HashMap<>();
    private int redraws;

    private FlameBox hovered;
    private double pressX;
    private double pressTime;
    private TimeWindow pressWindow;
    private boolean dragging;
    private boolean rangeDrag;

    public FlameChartSkin(FlameChart chart) {
        super(chart, "flame-tooltip");

        registerChangeListener(chart.layoutProperty(), o -> {
            hovered = null;
            markDirty();
        });
        registerChangeListener(chart.windowProperty(), o -> markDirty());
        registerChangeListener(chart.selectionProperty(), o -> markDirty());
        registerChangeListener(chart.selectedBoxProperty(), o -> markDirty());
        registerChangeListener(chart.highlightedStageProperty(), o -> markDirty());
        // one hidden probe per known key resolves the looked-up colour -flame-KEY from the stylesheets
        for (String key : StagePalette.KEYS) {
            Region colorProbe = new Region();
            colorProbe.setManaged(false);
            colorProbe.setVisible(false);
            colorProbe.setStyle("-fx-background-color: -flame-" + key + ";");
            colorProbe.backgroundProperty().addListener((o, a, b) -> {
                if (b != null && !b.getFills().isEmpty()) {
                    chart.stageColors().put(key, b.getFills().get(0).getFill());
                }
            });
            getChildren().add(colorProbe);
        }
        chart.stageColors().addListener((javafx.collections.MapChangeListener<String, Paint>) c -> {
            paintCache.clear();
            markDirty();
        });
        registerChangeListener(chart.flameBackgroundProperty(), o -> markDirty());
        registerChangeListener(chart.flameTextFillProperty(), o -> markDirty());
        registerChangeListener(chart.flameSelectionFillProperty(), o -> markDirty());
        registerChangeListener(chart.flameGridColorProperty(), o -> markDirty());
        registerChangeListener(chart.flameRowHeightProperty(), o -> {
            chart.requestLayout();
            markDirty();
        });
        registerChangeListener(chart.focusedProperty(), o -> markDirty());

        canvas.addEventHandler(MouseEvent.MOUSE_PRESSED, this::pressed);
        canvas.addEventHandler(MouseEvent.MOUSE_DRAGGED, this::dragged);
        canvas.addEventHandler(MouseEvent.MOUSE_RELEASED, this::released);
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, this::moved);
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> {
            forgetMouse();
            setHovered(null);
        });
        canvas.addEventHandler(ScrollEvent.SCROLL, this::scrolled);
        canvas.addEventHandler(ZoomEvent.ZOOM, e -> {
            chart().zoomAt(e.getX() - gutter(), width(), e.getZoomFactor());
            e.consume();
        });
        chart.addEventHandler(KeyEvent.KEY_PRESSED, this::keyPressed);
    }

    private FlameChart chart() {
        return getSkinnable();
    }

    /** Redraws done so far (for tests: several changes in one pulse must add one). */
    public int redrawCount() {
        return redraws;
    }

    /** Width of the time plot (canvas minus the gutter). */
    private double width() {
        return Math.max(1, canvas.getWidth() - gutter());
    }

    /** Left margin holding the row names: {@link #GUTTER}, wider when large text needs it. */
    public double gutter() {
        return Math.max(GUTTER, Math.ceil(6 * charWidth() + 14));
    }

    /** Height of the time axis: {@link #AXIS_HEIGHT}, taller for large text. */
    private double axisHeight() {
        return Math.max(AXIS_HEIGHT, Math.ceil(font().getSize() * 2));
    }

    /** The CSS row height, or taller when the text would not fit in it. */
    private double rowHeight() {
        return Math.max(chart().flameRowHeightProperty().get(), Math.ceil(font().getSize() * 1.6));
    }

    private double rowY(int depth) {
        return axisHeight() + depth * (rowHeight() + ROW_GAP);
    }

    /** Row under y, or -1. */
    private int depthAt(double y) {
        if (y < axisHeight()) {
            return -1;
        }
        int d = (int) ((y - axisHeight()) / (rowHeight() + ROW_GAP));
        return d < FlameLayout.DEPTHS ? d : -1;
    }

    @Override
    protected double computePrefHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + axisHeight() + FlameLayout.DEPTHS * (rowHeight() + ROW_GAP) + 4;
    }

    @Override
    protected double computeMinHeight(double width, double top, double right, double bottom, double left) {
        return computePrefHeight(width, top, right, bottom, left);
    }

    @Override
    protected double computePrefWidth(double height, double top, double right, double bottom, double left) {
        return 800;
    }

    // ---- drawing ----

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        redraws++;
        FlameChart chart = chart();
        FlameLayout layout = chart.getLayout();
        TimeWindow window = chart.getWindow();
        g.setFill(chart.flameBackgroundProperty().get());
        g.fillRect(0, 0, w, h);
        g.setFont(font());
        g.setTextBaseline(VPos.CENTER);
        drawGutter(g, h);
        double gutter = gutter();
        g.save();
        g.beginPath();
        g.rect(gutter, 0, w - gutter, h);
        g.clip();
        g.translate(gutter, 0);
        w -= gutter;
        drawPlot(g, layout, window, w, h);
        g.restore();
    }

    private void drawGutter(GraphicsContext g, double h) {
        FlameChart chart = chart();
        g.setFill(chart.flameTextFillProperty().get());
        g.setGlobalAlpha(0.7);
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            g.fillText(ROW_NAMES[d], 6, rowY(d) + rowHeight() / 2);
        }
        g.setGlobalAlpha(1);
        g.setStroke(chart.flameGridColorProperty().get());
        g.strokeLine(gutter() - 0.5, 0, gutter() - 0.5, h);
    }

    private void drawPlot(GraphicsContext g, FlameLayout layout, TimeWindow window, double w, double h) {
        FlameChart chart = chart();
        drawAxis(g, window, w, h);
        if (layout.isEmpty()) {
            g.setFill(chart.flameTextFillProperty().get());
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText("No profiled steps yet: turn profiling on and run a prefill or a step.", w / 2, axisHeight() + 2 * rowHeight());
            g.setTextAlign(TextAlignment.LEFT);
            return;
        }
        double nsPerPixel = window.spanNanos() / Math.max(1, w);
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            drawRow(g, layout, window, d, w, nsPerPixel);
        }
        drawSelection(g, layout, window, w, h);
    }

    private void drawAxis(GraphicsContext g, TimeWindow window, double w, double h) {
        FlameChart chart = chart();
        double axis = axisHeight();
        // ticks far enough apart for their labels at any text size
        double step = FlameText.tickStep(window.spanNanos() / Math.max(1, w) * Math.max(110, 13 * charWidth()));
        double first = Math.ceil(window.startNanos() / step) * step;
        g.setLineWidth(1);
        for (double t = first; t <= window.endNanos(); t += step) {
            double x = Math.floor(window.toX(t, w)) + 0.5;
            g.setStroke(chart.flameGridColorProperty().get());
            g.strokeLine(x, axis - 6, x, h);
            g.setFill(chart.flameTextFillProperty().get());
            g.fillText(FlameText.tick(t, step), x + 3, axis / 2 - 2);
        }
        g.setStroke(chart.flameGridColorProperty().get());
        g.strokeLine(0, axis - 0.5, w, axis - 0.5);
    }

    private void drawRow(GraphicsContext g, FlameLayout layout, TimeWindow window, int depth, double w, double nsPerPixel) {
        double y = rowY(depth);
        double rh = rowHeight();
        String highlight = chart().highlightedStageProperty().get();
        layout.visit(depth, window.startNanos(), window.endNanos(), nsPerPixel, (index, start, end, merged) -> {
            double x0 = Math.max(-1, window.toX(start, w));
            double x1 = Math.min(w + 1, window.toX(end, w));
            double bw = Math.max(1, x1 - x0);
            String key = layout.colorKey(depth, index);
            Paint fill = paint(key);
            g.setFill(fill);
            boolean dimmed = highlight != null && depth == FlameLayout.DEPTH_STAGE && !highlight.equals(key);
            g.setGlobalAlpha(dimmed ? 0.2 : merged ? 0.75 : 1);
            // a 1 px gap between neighbours once boxes are wide enough to tell apart
            g.fillRect(x0, y, bw > 4 ? bw - 1 : bw, rh);
            g.setGlobalAlpha(1);
            if (!merged && bw > 3 * charWidth() + 6) {
                drawLabel(g, layout.label(depth, index), fill, Math.max(0, x0) + 3, Math.min(x1, w) - Math.max(0, x0) - 6, y + rh / 2);
            }
        });
        if (highlight != null && depth == FlameLayout.DEPTH_STAGE) {
            drawHighlight(g, layout, window, highlight, w, y, rh);
        }
        FlameBox selected = chart().selectedBoxProperty().get();
        outline(g, layout, window, selected, depth, w, 2, chart().flameTextFillProperty().get());
        outline(g, layout, window, hovered, depth, w, 1, chart().flameTextFillProperty().get());
    }

    /**
     * Draws the picked stage on top of the dimmed row as a density: each pixel column is as opaque as the share of
     * its time the stage covers (at least faintly when it covers any), so zoomed out it neither vanishes into merged
     * boxes nor floods the row.
     */
    private void drawHighlight(GraphicsContext g, FlameLayout layout, TimeWindow window, String key, double w, double y,
                               double rh) {
        int columns = (int) Math.ceil(w) + 1;
        double[] covered = new double[columns];
        double nsPerPixel = window.spanNanos() / w;
        layout.visit(FlameLayout.DEPTH_STAGE, window.startNanos(), window.endNanos(), 0, (index, start, end, merged) -> {
            if (!key.equals(layout.colorKey(FlameLayout.DEPTH_STAGE, index))) {
                return;
            }
            double x0 = Math.max(0, window.toX(start, w));
            double x1 = Math.min(columns, window.toX(end, w));
            for (int px = (int) x0; px < x1 && px < columns; px++) {
                covered[px] += Math.min(x1, px + 1) - Math.max(x0, px);
            }
            if (x1 - x0 < 1e-9 && x0 < columns) {
                covered[(int) x0] += Math.max(1e-3, (end - start) / nsPerPixel);
            }
        });
        g.setFill(paint(key));
        for (int px = 0; px < columns; px++) {
            if (covered[px] > 0) {
                g.setGlobalAlpha(Math.max(0.35, Math.min(1, covered[px])));
                g.fillRect(px, y, 1, rh);
            }
        }
        g.setGlobalAlpha(1);
    }

    private void outline(GraphicsContext g, FlameLayout layout, TimeWindow window, FlameBox box, int depth, double w,
                         double lineWidth, Paint stroke) {
        if (box == null || box.depth() != depth || box.index() >= layout.count(depth)) {
            return;
        }
        double x0 = window.toX(layout.start(depth, box.index()), w);
        double x1 = window.toX(layout.end(depth, box.index()), w);
        if (x1 < 0 || x0 > w) {
            return;
        }
        g.setStroke(stroke);
        g.setLineWidth(lineWidth);
        g.strokeRect(Math.max(-2, x0) + lineWidth / 2, rowY(depth) + lineWidth / 2,
                Math.max(1, Math.min(w + 2, x1) - Math.max(-2, x0) - lineWidth), rowHeight() - lineWidth);
        g.setLineWidth(1);
    }

    private void drawLabel(GraphicsContext g, String text, Paint fill, double x, double room, double yMid) {
        int chars = (int) (room / charWidth());
        if (chars < 3) {
            return;
        }
        String shown = text.length() <= chars ? text : text.substring(0, chars - 1) + "\u2026";
        boolean dark = fill instanceof Color c && 0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue() < 0.5;
        g.setFill(dark ? Color.WHITE : Color.BLACK);
        g.fillText(shown, x, yMid);
    }

    private void drawSelection(GraphicsContext g, FlameLayout layout, TimeWindow window, double w, double h) {
        TimeRange s = chart().getSelection();
        if (s == null) {
            return;
        }
        double x0 = window.toX(s.startNanos(), w);
        double x1 = window.toX(s.endNanos(), w);
        g.setFill(chart().flameSelectionFillProperty().get());
        double axis = axisHeight();
        g.fillRect(x0, axis, Math.max(1, x1 - x0), h - axis);
        g.setStroke(chart().flameTextFillProperty().get());
        g.strokeLine(Math.floor(x0) + 0.5, axis, Math.floor(x0) + 0.5, h);
        g.strokeLine(Math.floor(x1) + 0.5, axis, Math.floor(x1) + 0.5, h);
        String label = FlameText.duration(s.spanNanos());
        g.setFill(chart().flameTextFillProperty().get());
        g.fillText(label, Math.min(Math.max(2, x0 + 4), w - label.length() * charWidth() - 4),
                rowY(FlameLayout.DEPTHS) + 8);
    }

    private Paint paint(String key) {
        return paintCache.computeIfAbsent(key, chart()::colorFor);
    }

    // ---- hover ----

    private void setHovered(FlameBox box) {
        if (box == null ? hovered != null : !box.equals(hovered)) {
            hovered = box;
            if (box != null) {
                tooltip.setText(FlameText.describe(chart().getLayout(), box.depth(), box.index(),
                        chart().stageDetailProperty().get()));
            }
            markDirty();
        }
        tooltip.setVisible(box != null && !dragging);
        chart().requestLayout();
    }

    private FlameBox boxAt(double x, double y) {
        FlameLayout layout = chart().getLayout();
        int depth = depthAt(y);
        if (depth < 0 || layout.isEmpty()) {
            return null;
        }
        TimeWindow window = chart().getWindow();
        double t = window.toTime(x - gutter(), width());
        int index = layout.indexAt(depth, t, HOVER_TOLERANCE_PX * window.spanNanos() / width());
        return index < 0 ? null : new FlameBox(depth, index);
    }

    // ---- input ----

    private void moved(MouseEvent e) {
        trackMouse(e.getX(), e.getY());
        setHovered(boxAt(e.getX(), e.getY()));
    }

    private void pressed(MouseEvent e) {
        chart().requestFocus();
        if (e.getButton() != MouseButton.PRIMARY) {
            return;
        }
        pressX = e.getX();
        pressWindow = chart().getWindow();
        pressTime = pressWindow.toTime(e.getX() - gutter(), width());
        dragging = false;
        rangeDrag = e.isShiftDown();
        e.consume();
    }

    private void dragged(MouseEvent e) {
        if (pressWindow == null) {
            return;
        }
        double dx = e.getX() - pressX;
        if (!dragging && Math.abs(dx) < DRAG_THRESHOLD) {
            return;
        }
        dragging = true;
        tooltip.setVisible(false);
        FlameChart chart = chart();
        if (rangeDrag) {
            double t = chart.getWindow().toTime(e.getX() - gutter(), width());
            double total = chart.getLayout().durationNanos();
            chart.selectedBoxProperty().set(null);
            chart.selectionProperty().set(TimeRange.between(clamp(pressTime, total), clamp(t, total)));
        } else {
            chart.windowProperty().set(pressWindow.pan(-dx / width() * pressWindow.spanNanos(), chart.getLayout().durationNanos()));
        }
        e.consume();
    }

    private static double clamp(double t, double total) {
        return Math.max(0, Math.min(total, t));
    }

    private void released(MouseEvent e) {
        if (pressWindow == null) {
            return;
        }
        if (!dragging) {
            FlameBox box = boxAt(e.getX(), e.getY());
            if (e.getClickCount() >= 2 && box != null) {
                FlameLayout l = chart().getLayout();
                double s = l.start(box.depth(), box.index());
                double en = l.end(box.depth(), box.index());
                double margin = (en - s) * 0.05;
                chart().windowProperty().set(TimeWindow.around(s - margin, en + margin, l.durationNanos()));
            } else if (box != null) {
                chart().select(box);
            } else if (depthAt(e.getY()) >= 0 || e.getY() >= axisHeight()) {
                chart().clearSelection();
            }
        }
        pressWindow = null;
        dragging = false;
        e.consume();
    }

    private void scrolled(ScrollEvent e) {
        if (e.isControlDown() || e.isShortcutDown()) {
            chart().zoomAt(e.getX() - gutter(), width(), Math.pow(1.003, e.getDeltaY()));
        } else {
            double d = e.getDeltaX() != 0 ? e.getDeltaX() : e.getDeltaY();
            chart().panPixels(-d, width());
        }
        e.consume();
    }

    private void keyPressed(KeyEvent e) {
        if (e.isShortcutDown()) {
            // Ctrl + / Ctrl - scale the whole window's text (presentation), not the chart's time
            return;
        }
        double anchor = Double.isNaN(mouseX()) ? width() / 2 : Math.max(0, mouseX() - gutter());
        switch (e.getCode()) {
            case W, ADD, PLUS, EQUALS -> chart().zoomAt(anchor, width(), 1.4);
            case S, SUBTRACT, MINUS -> chart().zoomAt(anchor, width(), 1 / 1.4);
            case A, LEFT -> chart().panPixels(-0.15 * width(), width());
            case D, RIGHT -> chart().panPixels(0.15 * width(), width());
            case F -> chart().fitSelectionOrAll();
            case ESCAPE -> chart().clearSelection();
            default -> {
                return;
            }
        }
        e.consume();
    }
}
