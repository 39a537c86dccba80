package org.moescope.app.view.teach;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.moescope.engine.moe.DispatchPlan;

/**
 * The grouped GEMM's work list drawn as tiles: one box per (expert, row tile), filled in proportion to the rows it
 * holds, the tiles that compute the followed token's pairs highlighted. Shows at a glance how many work-groups the
 * step needs and how much of each tile is used.
 */
final class TileStrip extends FlowPane {
    /** Above this many tiles the boxes shrink, so that a 128-expert work list fits a screen. */
    private static final int MANY = 48;

    /** {@code ownPairs}: the followed token's pair ids (row · k + slot). */
    TileStrip(DispatchPlan plan, int tileRows, int[] ownPairs) {
        super(10, 10);
        setId("teach-tiles");
        int tiles = 0;
        for (int c : plan.counts()) {
            tiles += (c + tileRows - 1) / tileRows;
        }
        double width = tiles > MANY ? 56 : 90;
        double height = tiles > MANY ? 30 : 46;
        if (tiles > MANY) {
            setHgap(6);
            setVgap(4);
        }
        for (int e = 0; e < plan.counts().length; e++) {
            int count = plan.counts()[e];
            for (int first = 0; first < count; first += tileRows) {
                int rows = Math.min(tileRows, count - first);
                boolean own = holdsAny(plan, e, first, rows, ownPairs);
                Region fill = new Region();
                fill.getStyleClass().add(own ? "tile-fill-own" : "tile-fill");
                fill.setMaxWidth(width * rows / tileRows);
                fill.setMinWidth(width * rows / tileRows);
                fill.setMaxHeight(height);
                StackPane box = new StackPane(fill);
                box.getStyleClass().add("tile-box");
                box.setAlignment(Pos.CENTER_LEFT);
                box.setMinSize(width, height);
                box.setMaxSize(width, height);
                Tooltip tip = new Tooltip("expert " + e + ", tile " + first / tileRows + ": rows " + first + "–"
                        + (first + rows - 1) + " of its " + count + " pairs, " + rows + " of " + tileRows
                        + " rows used" + (own ? "; computes the followed token" : ""));
                tip.setShowDelay(Duration.millis(100));
                tip.setStyle("-fx-font-size: 20px;");
                Tooltip.install(box, tip);
                Label name = new Label("e" + e + (count > tileRows ? "·" + first / tileRows : ""));
                name.getStyleClass().add("count-axis");
                VBox column = new VBox(2, box, name);
                column.setAlignment(Pos.CENTER);
                getChildren().add(column);
            }
        }
    }

    private static boolean holdsAny(DispatchPlan plan, int expert, int first, int rows, int[] ownPairs) {
        int from = plan.offsets()[expert] + first;
        for (int i = from; i < from + rows; i++) {
            for (int p : ownPairs) {
                if (plan.sortedPairs()[i] == p) {
                    return true;
                }
            }
        }
        return false;
    }
}
