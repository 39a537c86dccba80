package org.moescope.app.view.routing;

import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;

/** Balance figures of every MoE layer over the run, one row per layer; selecting a row picks the layer. */
public class LayerBalanceTable extends TableView<LayerBalanceTable.Row> {

    /** One layer's figures. */
    public record Row(int layerIndex, int layer, RoutingStats stats) {
    }

    private final ObservableList<Row> rows = FXCollections.observableArrayList();

    public LayerBalanceTable() {
        getStyleClass().add("layer-balance-table");
        setItems(rows);
        setColumnResizePolicy(CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        setPlaceholder(new Label("No routing yet: press Prefill, Step or Generate."));
        getColumns().add(column("Layer", "decoder layer", r -> r.layer(), v -> Integer.toString((int) v)));
        getColumns().add(column("Assignments", Glossary.metric("assignments"),
                r -> r.stats().assignments(), v -> Long.toString((long) v)));
        getColumns().add(column("Max/mean", Glossary.metric("max_over_mean"), r -> r.stats().maxOverMean(), v -> fmt(v, 2)));
        getColumns().add(column("CV", Glossary.metric("cv"),
                r -> r.stats().coefficientOfVariation(), v -> fmt(v, 2)));
        getColumns().add(column("Entropy", Glossary.metric("entropy"),
                r -> r.stats().normalisedEntropy(), v -> fmt(v, 3)));
        getColumns().add(column("Dead", Glossary.metric("dead"),
                r -> r.stats().deadExperts(), v -> Integer.toString((int) v)));
    }

    public void show(RoutingRun run) {
        java.util.List<Row> list = new java.util.ArrayList<>();
        int[] layers = run.layers();
        for (int i = 0; i < layers.length; i++) {
            list.add(new Row(i, layers[i], run.stats(i)));
        }
        rows.setAll(list);
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static TableColumn<Row, Number> column(String name, String help, Function<Row, Number> f,
                                                   java.util.function.DoubleFunction<String> format) {
        TableColumn<Row, Number> c = new TableColumn<>();
        GlossaryTooltips.header(c, name, help);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        c.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(Number item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : format.apply(item.doubleValue()));
            }
        });
        c.setStyle("-fx-alignment: CENTER-RIGHT;");
        return c;
    }
}
