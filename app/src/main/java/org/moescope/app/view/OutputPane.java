package org.moescope.app.view;

import javafx.geometry.Orientation;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.BorderPane;
import org.moescope.app.viewmodel.SessionViewModel;

/** The first tab: dashboard tiles, the generated text as it streams, and the table of recorded steps. */
public final class OutputPane extends BorderPane {
    private final DashboardTiles tiles = new DashboardTiles();
    private final TextArea text = new TextArea();

    public OutputPane(SessionViewModel vm) {
        getStyleClass().add("output-pane");
        text.setId("output-text");
        text.getStyleClass().add("generated-text");
        text.setEditable(false);
        text.setWrapText(true);
        text.textProperty().bind(vm.textProperty());
        text.textProperty().addListener((obs, was, is) -> text.positionCaret(is.length()));
        SplitPane split = new SplitPane(text, new StepTable(vm.steps()));
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.5);
        setTop(tiles);
        setCenter(split);
        vm.metricsProperty().addListener((obs, was, m) -> tiles.show(m));
        vm.configProperty().addListener((obs, was, c) -> tiles.setModel(c));
    }

    public DashboardTiles tiles() {
        return tiles;
    }
}
