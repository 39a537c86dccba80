package org.moescope.app.view.teach;

import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;

/**
 * Pairs per expert in one step as a row of bars, one per expert (hover one for its count); the experts of the
 * followed token stand out. Expert ids are written under the bars when there are few enough experts to read them.
 */
final class ExpertCountBars extends HBox {
    private static final double HEIGHT = 220;

    ExpertCountBars(int[] counts, int[] highlighted) {
        setId("teach-expert-counts");
        getStyleClass().add("expert-count-bars");
        setSpacing(counts.length > 64 ? 1 : 3);
        setAlignment(Pos.BOTTOM_LEFT);
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        boolean labels = counts.length <= 32;
        for (int e = 0; e < counts.length; e++) {
            Region bar = new Region();
            bar.getStyleClass().add(contains(highlighted, e) ? "count-bar-chosen" : "count-bar");
            double height = counts[e] == 0 ? 1 : Math.max(3, HEIGHT * counts[e] / max);
            bar.setMinHeight(height);
            bar.setPrefHeight(height);
            bar.setMaxHeight(height);
            bar.setMaxWidth(Double.MAX_VALUE);
            bar.setMinWidth(2);
            Tooltip tip = new Tooltip("expert " + e + ": " + counts[e] + " pair" + (counts[e] == 1 ? "" : "s")
                    + " in this step" + (contains(highlighted, e) ? " (one of the followed token's experts)" : ""));
            tip.setShowDelay(Duration.millis(100));
            tip.setStyle("-fx-font-size: 20px;");
            Tooltip.install(bar, tip);
            VBox column = new VBox(2);
            column.setAlignment(Pos.BOTTOM_CENTER);
            if (labels) {
                Label count = new Label(Integer.toString(counts[e]));
                count.getStyleClass().add("count-label");
                column.getChildren().add(count);
            }
            column.getChildren().add(bar);
            if (labels) {
                Label id = new Label(Integer.toString(e));
                id.getStyleClass().add("count-axis");
                column.getChildren().add(id);
            }
            HBox.setHgrow(column, Priority.ALWAYS);
            column.setMaxWidth(Double.MAX_VALUE);
            getChildren().add(column);
        }
        setMinHeight(HEIGHT + (labels ? 70 : 10));
    }

    private static boolean contains(int[] values, int v) {
        for (int x : values) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }
}
