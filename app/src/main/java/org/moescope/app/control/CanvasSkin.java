package org.moescope.app.control;

import javafx.scene.SnapshotParameters;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;

/**
 * A skin that draws its control on one {@link Canvas}, with a tooltip label that follows the mouse. A change calls
 * {@link #markDirty()}, which only requests layout; the drawing happens in the next layout pass, so any number of
 * changes in one pulse collapse into one {@link #draw()}.
 * <p>
 * The text size comes from CSS: a hidden label of style class {@code chart-font} takes its font from the stylesheets
 * (in em, so that it follows the root font size that presentation mode scales), and the skin measures and draws
 * with it.
 *
 * @param <C> the control
 */
public abstract class CanvasSkin<C extends Control> extends SkinBase<C> {
    protected final Canvas canvas = new Canvas();
    protected final Label tooltip = new Label();
    private final Label fontProbe = new Label();
    private double charWidth = Double.NaN;
    private boolean dirty = true;
    private double mouseX = Double.NaN;
    private double mouseY = Double.NaN;

    protected CanvasSkin(C control, String tooltipStyleClass) {
        super(control);
        tooltip.getStyleClass().add(tooltipStyleClass);
        tooltip.setManaged(false);
        tooltip.setVisible(false);
        tooltip.setMouseTransparent(true);
        fontProbe.getStyleClass().add("chart-font");
        fontProbe.setManaged(false);
        fontProbe.setVisible(false);
        fontProbe.fontProperty().addListener(o -> {
            charWidth = Double.NaN;
            fontChanged();
            control.requestLayout();
            markDirty();
        });
        getChildren().addAll(canvas, tooltip, fontProbe);
    }

    /** Draws the whole control with {@code g}, on an area of {@code w} x {@code h} (the control's size). */
    protected abstract void draw(GraphicsContext g, double w, double h);

    /** Draws the whole control on {@link #canvas}, at its current size. */
    protected void draw() {
        draw(canvas.getGraphicsContext2D(), canvas.getWidth(), canvas.getHeight());
    }

    /** Called when the CSS font of the chart's text changes (measurements that depend on it are stale). */
    protected void fontChanged() {
    }

    /** The font of the chart's text (CSS {@code .chart-font}). */
    public final Font font() {
        return fontProbe.getFont();
    }

    /** Average width of a character of {@link #font()}, for fitting labels. */
    protected final double charWidth() {
        if (Double.isNaN(charWidth)) {
            Text probe = new Text("abcdefghijklmnopqrstuvwxyz_0123456789");
            probe.setFont(font());
            charWidth = probe.getLayoutBounds().getWidth() / probe.getText().length();
        }
        return charWidth;
    }

    /**
     * The control drawn afresh at {@code scale} times its size (sharp, not a magnified screen image), for slide
     * export; FX thread only.
     */
    public WritableImage render(double scale) {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        if (!(w > 0 && h > 0)) {
            throw new IllegalArgumentException("the chart has nothing to draw: size " + w + " x " + h);
        }
        Canvas big = new Canvas(Math.ceil(w * scale), Math.ceil(h * scale));
        GraphicsContext g = big.getGraphicsContext2D();
        g.scale(scale, scale);
        draw(g, w, h);
        SnapshotParameters params = new SnapshotParameters();
        params.setFill(Color.TRANSPARENT);
        return big.snapshot(params, null);
    }

    /**
     * The canvas is a non-resizable node whose minimum width is its current width, so SkinBase's default would make
     * the control's minimum whatever it was last given and a split pane or box around it could only ever widen it.
     */
    @Override
    protected double computeMinWidth(double height, double top, double right, double bottom, double left) {
        return left + right + MIN_SIZE;
    }

    @Override
    protected double computeMinHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + MIN_SIZE;
    }

    private static final double MIN_SIZE = 40;

    /** Asks for a redraw in the next layout pass. */
    protected final void markDirty() {
        if (!dirty) {
            dirty = true;
            getSkinnable().requestLayout();
        }
    }

    /** Where the mouse is over the canvas, for the tooltip (NaN once it has left). */
    protected final void trackMouse(double x, double y) {
        mouseX = x;
        mouseY = y;
    }

    protected final void forgetMouse() {
        mouseX = Double.NaN;
        mouseY = Double.NaN;
    }

    protected final double mouseX() {
        return mouseX;
    }

    @Override
    protected final void layoutChildren(double x, double y, double w, double h) {
        if (canvas.getWidth() != w || canvas.getHeight() != h) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            dirty = true;
        }
        canvas.relocate(x, y);
        if (dirty) {
            dirty = false;
            draw();
        }
        placeTooltip(x, y, w, h);
    }

    /** Below right of the mouse, flipped left or up where it would leave the control. */
    private void placeTooltip(double x, double y, double w, double h) {
        if (!tooltip.isVisible() || Double.isNaN(mouseX)) {
            return;
        }
        tooltip.autosize();
        double tw = tooltip.getWidth();
        double th = tooltip.getHeight();
        double tx = mouseX + 14 + tw > w ? mouseX - tw - 8 : mouseX + 14;
        double ty = mouseY + 16 + th > h ? mouseY - th - 4 : mouseY + 16;
        tooltip.relocate(x + Math.max(0, tx), y + Math.max(0, ty));
    }
}
