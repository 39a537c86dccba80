package org.moescope.app.view.routing;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;
import javafx.beans.property.IntegerProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.moescope.app.control.expertgrid.ExpertGrid;
import org.moescope.app.control.expertgrid.ExpertGridData;

/**
 * One token's experts at every MoE layer: a title naming the token, the {@link ExpertLegend} of its experts (with
 * the number of layers that chose each) and the {@link ExpertGrid}.
 */
public class ExpertGridPanel extends VBox {
    private static final String LEGEND_HEADING = "Experts of the token (layers)";

    private final Label title = new Label("Experts per layer");
    private final ExpertLegend legend = new ExpertLegend();
    private final ExpertGrid grid = new ExpertGrid();

    public ExpertGridPanel() {
        super(4);
        getStyleClass().add("expert-grid-panel");
        setPadding(new Insets(4));
        title.setStyle("-fx-font-weight: bold;");
        title.setWrapText(true);
        title.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox.setVgrow(grid, Priority.ALWAYS);
        getChildren().addAll(title, legend, grid);
    }

    /** Shows row {@code row} of {@code run} (-1 or an empty run: a placeholder saying how to pick a token). */
    public void show(RoutingRun run, int row, IntFunction<String> tokenText, String noRowText) {
        if (run.isEmpty() || row < 0 || row >= run.rows().size()) {
            title.setText("Experts per layer");
            grid.placeholderProperty().set(noRowText);
            grid.setData(ExpertGridData.EMPTY);
            legend.show(LEGEND_HEADING, Map.of(), run.experts());
            return;
        }
        ExpertGridData data = run.expertGrid(row, tokenText);
        grid.setData(data);
        title.setText("Experts per layer for " + data.title() + " (brighter = larger routing weight; click a layer to pick it)");
        Map<Integer, Long> layersPerExpert = new TreeMap<>();
        for (int li = 0; li < data.layers().length; li++) {
            for (int e : data.litExperts(li)) {
                layersPerExpert.merge(e, 1L, Long::sum);
            }
        }
        legend.show(LEGEND_HEADING, layersPerExpert, run.experts());
    }

    /** The selected layer block, for binding to the view's layer. */
    public IntegerProperty selectedLayerProperty() {
        return grid.selectedLayerProperty();
    }

    public ExpertGrid grid() {
        return grid;
    }

    public ExpertLegend legend() {
        return legend;
    }
}
