package org.moescope.app.view;

import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;

/** The keyboard shortcut sheet (F1): every {@link Shortcut} by group, then the flame chart's keys. */
public final class HelpSheet extends ScrollPane {

    public HelpSheet() {
        GridPane grid = new GridPane();
        grid.getStyleClass().add("help-sheet");
        grid.setHgap(24);
        grid.setVgap(4);
        grid.setPadding(new Insets(16));
        ColumnConstraints keys = new ColumnConstraints();
        keys.setMinWidth(160);
        ColumnConstraints what = new ColumnConstraints();
        what.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(keys, what);
        int row = 0;
        String group = null;
        for (Shortcut s : Shortcut.values()) {
            if (!s.group().equals(group)) {
                group = s.group();
                row = heading(grid, row, group);
            }
            grid.addRow(row++, keyLabel(s.keys().getDisplayText()), new Label(s.description()));
        }
        row = heading(grid, row, "Timeline (flame chart)");
        for (String[] k : Shortcut.TIMELINE_KEYS) {
            grid.addRow(row++, keyLabel(k[0]), new Label(k[1]));
        }
        setContent(grid);
        setFitToWidth(true);
        setPrefSize(560, 620);
    }

    private static int heading(GridPane grid, int row, String text) {
        Label heading = new Label(text);
        heading.getStyleClass().add("help-heading");
        grid.add(heading, 0, row, 2, 1);
        return row + 1;
    }

    private static Label keyLabel(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("help-keys");
        return label;
    }
}
