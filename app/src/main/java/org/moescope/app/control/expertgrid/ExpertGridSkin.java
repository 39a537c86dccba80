package org.moescope.app.control.expertgrid;

import java.util.Locale;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.input.MouseEvent;
import javafx.scene.paint.Paint;
import javafx.scene.text.TextAlignment;
import org.moescope.app.control.CanvasSkin;
import org.moescope.app.control.ExpertPalette;

/**
 * Draws an {@link ExpertGrid} by {@link ExpertGridLayout}: a label per layer block ("layer 3"), unlit cells in the
 * cell fill, lit cells in their expert's colour at an opacity that grows with the routing weight (from 0.3 for the
 * smallest to 1 for the largest in the grid) inside an outline, so a black or pale expert still shows; cells of a
 * few pixels (48 layers of 128 experts) in full colour. Cells large enough carry the expert number when the palette
 * repeats colours.
 */
public class ExpertGridSkin extends CanvasSkin<ExpertGrid> {

    private static final double PAD = 4;
    /** Cells smaller than this are lit in full colour without an outline. */
    private static final double OUTLINED_CELL = 7;
    private ExpertGridLayout layout;
    private int hoverLayer = -1;
    private int hoverExpert = -1;

    public ExpertGridSkin(ExpertGrid grid) {
        super(grid, "expert-grid-tooltip");
        registerChangeListener(grid.dataProperty(), o -> {
            hoverLayer = -1;
            tooltip.setVisible(false);
            markDirty();
        });
        registerChangeListener(grid.selectedLayerProperty(), o -> markDirty());
        registerChangeListener(grid.placeholderProperty(), o -> markDirty());
        registerChangeListener(grid.gridCellFillProperty(), o -> markDirty());
        registerChangeListener(grid.gridTextFillProperty(), o -> markDirty());
        registerChangeListener(grid.gridSelectionStrokeProperty(), o -> markDirty());
        canvas.addEventHandler(MouseEvent.MOUSE_MOVED, this::moved);
        canvas.addEventHandler(MouseEvent.MOUSE_EXITED, e -> {
            forgetMouse();
            hoverLayer = -1;
            tooltip.setVisible(false);
        });
        canvas.addEventHandler(MouseEvent.MOUSE_CLICKED, e -> {
            int[] cell = cellAt(e.getX(), e.getY());
            if (cell != null) {
                getSkinnable().selectedLayerProperty().set(cell[0]);
            }
        });
    }

    /** {layer block, expert} under a point of the control, or null. */
    int[] cellAt(double x, double y) {
        return layout == null ? null : layout.cellAt(x - PAD, y - PAD);
    }

    /** Centre of a cell in the control's coordinates (after the first layout), for tests. */
    public double[] cellCentre(int layerIndex, int expert) {
        double[] o = layout.cellOrigin(layerIndex, expert);
        return new double[] {PAD + o[0] + layout.cell() / 2, PAD + o[1] + layout.cell() / 2};
    }

    @Override
    protected double computePrefHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + 240;
    }

    @Override
    protected double computeMinHeight(double width, double top, double right, double bottom, double left) {
        return top + bottom + 80;
    }

    @Override
    protected double computePrefWidth(double height, double top, double right, double bottom, double left) {
        return 480;
    }

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        ExpertGrid grid = getSkinnable();
        ExpertGridData d = grid.getData();
        g.clearRect(0, 0, w, h);
        g.setFont(font());
        g.setTextBaseline(VPos.CENTER);
        Paint text = grid.gridTextFillProperty().get();
        if (d.isEmpty()) {
            layout = null;
            g.setFill(text);
            g.setTextAlign(TextAlignment.CENTER);
            g.fillText(grid.placeholderProperty().get(), w / 2, h / 2);
            return;
        }
        int[] layers = d.layers();
        layout = ExpertGridLayout.of(d.experts(), layers.length, w - 2 * PAD, h - 2 * PAD,
                Math.max(ExpertGridLayout.LABEL_HEIGHT, Math.ceil(font().getSize() * 1.4)));
        double cell = layout.cell();
        double gap = cell >= 5 ? 1 : 0;
        float max = d.maxWeight();
        boolean numbers = ExpertPalette.repeats(d.experts()) && cell >= 14;
        for (int li = 0; li < layers.length; li++) {
            double bx = PAD + layout.blockX(li);
            double by = PAD + layout.blockY(li);
            g.setFill(text);
            g.setTextAlign(TextAlignment.LEFT);
            g.fillText("layer " + layers[li], bx, by + layout.labelHeight() / 2);
            for (int e = 0; e < d.experts(); e++) {
                double[] o = layout.cellOrigin(li, e);
                double x = PAD + o[0];
                double y = PAD + o[1];
                g.setFill(grid.gridCellFillProperty().get());
                g.fillRect(x, y, cell - gap, cell - gap);
                if (d.lit(li, e) && cell < OUTLINED_CELL) {
                    // a few pixels: an outline would cover the colour, and an opacity step would not show
                    g.setFill(ExpertPalette.color(e));
                    g.fillRect(x, y, cell - gap, cell - gap);
                } else if (d.lit(li, e)) {
                    double opacity = max > 0 ? 0.3 + 0.7 * d.weight(li, e) / max : 1;
                    g.setFill(ExpertPalette.color(e).deriveColor(0, 1, 1, opacity));
                    g.fillRect(x, y, cell - gap, cell - gap);
                    g.setStroke(text);
                    g.setLineWidth(1);
                    g.strokeRect(x + 0.5, y + 0.5, Math.max(1, cell - gap - 1), Math.max(1, cell - gap - 1));
                    if (numbers) {
                        g.setFill(opacity > 0.6 ? ExpertPalette.textOn(e) : text);
                        g.setTextAlign(TextAlignment.CENTER);
                        g.fillText(Integer.toString(e), x + (cell - gap) / 2, y + (cell - gap) / 2);
                    }
                }
            }
            if (li == grid.selectedLayerProperty().get()) {
                g.setStroke(grid.gridSelectionStrokeProperty().get());
                g.setLineWidth(2);
                g.strokeRect(bx - 2, by + layout.labelHeight() - 2, layout.columns() * cell + 3,
                        layout.rows() * cell + 3);
            }
        }
        if (hoverLayer >= 0 && hoverLayer < layers.length && hoverExpert < d.experts()) {
            double[] o = layout.cellOrigin(hoverLayer, hoverExpert);
            g.setStroke(text);
            g.setLineWidth(1.5);
            g.strokeRect(PAD + o[0] - 1, PAD + o[1] - 1, cell + 1, cell + 1);
        }
    }

    private void moved(MouseEvent e) {
        trackMouse(e.getX(), e.getY());
        int[] cell = cellAt(e.getX(), e.getY());
        int l = cell == null ? -1 : cell[0];
        int x = cell == null ? -1 : cell[1];
        if (l != hoverLayer || x != hoverExpert) {
            hoverLayer = l;
            hoverExpert = x;
            if (cell != null) {
                tooltip.setText(describe(getSkinnable().getData(), l, x));
            }
            markDirty();
        }
        tooltip.setVisible(cell != null);
        getSkinnable().requestLayout();
    }

    static String describe(ExpertGridData d, int layerIndex, int expert) {
        String head = "layer " + d.layers()[layerIndex] + ", expert " + expert + " (" + ExpertPalette.name(expert) + ")";
        return d.lit(layerIndex, expert)
                ? head + ": chosen, weight " + String.format(Locale.ROOT, "%.3f", d.weight(layerIndex, expert))
                : head + ": not chosen";
    }
}
