package org.moescope.app.control.heatmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.export.PngSnapshot;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The heatmap draws each cell in the colour of its value, describes the hovered cell and selects the clicked one. */
@ExtendWith(ApplicationExtension.class)
class RoutingHeatmapTest {

    private static final double[] VALUES = {
        0.0, 0.25, 0.5, 1.0,
        0.75, 0.1, 0.0, 0.4,
        0.3, 0.9, 0.6, 0.05};
    private RoutingHeatmap heatmap;

    @Start
    void start(Stage stage) {
        heatmap = new RoutingHeatmap();
        heatmap.setData(new HeatmapData(3, 4, VALUES, "token", "expert", "routing weight",
                r -> "t" + r, c -> Integer.toString(c), (r, c) -> "cell " + r + "," + c + " = " + VALUES[r * 4 + c]));
        stage.setScene(new Scene(new StackPane(heatmap), 500, 300));
        stage.show();
    }

    /** Screen point at the centre of a cell, from the skin's geometry. */
    private double[] cellCentre(int row, int col) {
        RoutingHeatmapSkin skin = (RoutingHeatmapSkin) heatmap.getSkin();
        double[] p = skin.cellCentre(row, col);
        Bounds b = heatmap.localToScreen(heatmap.getBoundsInLocal());
        return new double[] {b.getMinX() + p[0], b.getMinY() + p[1], p[0], p[1]};
    }

    @Test
    void everyCellIsDrawnInTheColourOfItsValue(FxRobot robot) {
        int[] size = new int[2];
        int[][] pixels = new int[1][];
        robot.interact(() -> pixels[0] = PngSnapshot.pixels(heatmap, size));
        ColorScale scale = heatmap.colorScale();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                double[] p = cellCentre(r, c);
                int actual = pixels[0][(int) p[3] * size[0] + (int) p[2]];
                int expected = scale.argb(VALUES[r * 4 + c], 1.0);
                for (int shift = 0; shift < 24; shift += 8) {
                    int a = (actual >>> shift) & 0xff;
                    int e = (expected >>> shift) & 0xff;
                    assertTrue(Math.abs(a - e) <= 2, "cell " + r + "," + c + ": " + Integer.toHexString(actual)
                            + " vs " + Integer.toHexString(expected));
                }
            }
        }
    }

    @Test
    void hoverDescribesTheCellAndClickSelectsIt(FxRobot robot) {
        double[] p = cellCentre(1, 2);
        robot.moveTo(p[0], p[1]);
        Label tip = (Label) heatmap.lookup(".heatmap-tooltip");
        assertTrue(tip.isVisible());
        assertEquals("cell 1,2 = 0.0", tip.getText());
        robot.clickOn(p[0], p[1]);
        assertEquals(1, heatmap.selectedRowProperty().get());
        assertEquals(2, heatmap.selectedColumnProperty().get());
        double[] q = cellCentre(2, 3);
        robot.moveTo(q[0], q[1]);
        assertEquals("cell 2,3 = 0.05", tip.getText());
    }
}
