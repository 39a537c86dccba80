package org.moescope.app.view;

import java.util.Set;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;

/**
 * The keyboard shortcut sheet (F1): every {@link Shortcut} by group, then the Teaching tab's and the flame chart's
 * keys, in two columns so that the whole sheet fits a laptop screen without scrolling; it scrolls only on smaller
 * ones.
 */
public final class HelpSheet extends ScrollPane {
    /** The groups of the left column; the others and the flame chart's keys go in the right one. */
    private static final Set<String> LEFT = Set.of("File", "Run", "Switches");
    /** Longer descriptions wrap at this width instead of widening the sheet. */
    private static final double DESCRIPTION_WIDTH = 330;

    public HelpSheet() {
        getStyleClass().add("help-sheet-scroll");
        GridPane left = column();
        GridPane right = column();
        String group = null;
        for (Shortcut s : Shortcut.values()) {
            GridPane grid = LEFT.contains(s.group()) ? left : right;
            if (!s.group().equals(group)) {
                group = s.group();
                heading(grid, group);
            }
            row(grid, s.keys().getDisplayText(), s.description());
        }
        heading(left, "Teaching tab");
        for (String[] k : Shortcut.TEACHING_KEYS) {
            row(left, k[0], k[1]);
        }
        heading(right, "Timeline (flame chart)");
        for (String[] k : Shortcut.TIMELINE_KEYS) {
            row(right, k[0], k[1]);
        }
        HBox columns = new HBox(36, left, right);
        columns.setAlignment(Pos.TOP_LEFT);
        columns.setPadding(new Insets(8, 16, 16, 16));
        columns.getStyleClass().add("help-sheet");
        setContent(columns);
        setFitToWidth(true);
    }

    private static GridPane column() {
        GridPane grid = new GridPane();
        grid.setHgap(20);
        grid.setVgap(4);
        return grid;
    }

    private static void heading(GridPane grid, String text) {
        Label heading = new Label(text);
        heading.getStyleClass().add("help-heading");
        heading.setMinWidth(Region.USE_PREF_SIZE);
        grid.add(heading, 0, grid.getRowCount(), 2, 1);
    }

    private static void row(GridPane grid, String keys, String description) {
        Label key = new Label(keys);
        key.getStyleClass().add("help-keys");
        key.setMinWidth(Region.USE_PREF_SIZE);
        Label what = new Label(description);
        what.setWrapText(true);
        what.setMaxWidth(DESCRIPTION_WIDTH);
        what.setMinHeight(Region.USE_PREF_SIZE);
        grid.addRow(grid.getRowCount(), key, what);
    }
}
