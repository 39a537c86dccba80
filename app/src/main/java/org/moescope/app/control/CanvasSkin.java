package org.moescope.app.control;

import javafx.scene.canvas.Canvas;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.SkinBase;

/**
 * A skin that draws its control on one {@link Canvas}, with a tooltip label that follows the mouse. A change calls
 * {@link #markDirty()}, which only requests layout; the drawing happens in the next layout pass, so any number of
 * changes in one pulse collapse into one {@link #draw()}.
 *
 * @param <C> the control
 */
public abstract class CanvasSkin<C extends Control> extends SkinBase<C> {
    protected final Canvas canvas = new Canvas();
    protected final Label tooltip = new Label();
    private boolean dirty = true;
    private double mouseX = Double.NaN;
    private double mouseY = Double.NaN;

    protected CanvasSkin(C control, String tooltipStyleClass) {
        super(control);
        tooltip.getStyleClass().add(tooltipStyleClass);
        tooltip.setManaged(false);
        tooltip.setVisible(false);
        tooltip.setMouseTransparent(true);
        getChildren().addAll(canvas, tooltip);
    }

    /** Draws the whole control on {@link #canvas}, at its current size. */
    protected abstract void draw();

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
