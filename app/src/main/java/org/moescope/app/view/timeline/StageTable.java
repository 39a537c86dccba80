package org.moescope.app.view.timeline;

import java.util.Collection;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.app.metrics.StageBytes;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;

/**
 * The stage table: per (path, block, stage) total, mean, calls and share of the shown spans (the selection or the
 * whole run), sorted by total, with a caption naming what is summed and the device time of each path.
 */
public class StageTable extends VBox {

    private final Label caption = new Label();
    private final TableView<StageSummary.Row> table = new TableView<>();
    private final ObservableList<StageSummary.Row> rows = FXCollections.observableArrayList();
    private StageSummary summary = StageSummary.of(java.util.List.of());
    private StageBytes bytes = StageBytes.UNKNOWN;

    public StageTable(FlameChart chart) {
        getStyleClass().add("stage-table");
        caption.getStyleClass().add("stage-table-caption");
        caption.setWrapText(true);
        table.setItems(rows);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPlaceholder(new Label("No spans: run a step with profiling on, or select a range that holds spans."));

        TableColumn<StageSummary.Row, String> phase = text("Path", r -> r.phase().label());
        TableColumn<StageSummary.Row, String> block = text("Block", StageSummary.Row::block);
        TableColumn<StageSummary.Row, String> stage = text("Stage", StageSummary.Row::stage);
        stage.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setText(null);
                    setGraphic(null);
                } else {
                    Region swatch = new Region();
                    swatch.setMinSize(10, 10);
                    swatch.setMaxSize(10, 10);
                    swatch.setBackground(new Background(new BackgroundFill(chart.colorFor(item), null, null)));
                    setGraphic(swatch);
                    setText(item);
                }
                StageSummary.Row row = empty ? null : getTableRow().getItem();
                setTooltip(row == null ? null : GlossaryTooltips.of(Glossary.stage(row.block(), item)));
            }
        });
        phase.setCellFactory(c -> glossaryCell(Glossary::phase));
        block.setCellFactory(c -> glossaryCell(Glossary::block));
        GlossaryTooltips.header(phase, "Path", "The path the steps ran: prefill, decode or batched decode (hover a cell)");
        GlossaryTooltips.header(block, "Block", "Where in the model: a layer's attention, MoE or dense MLP block, or "
                + "the model's own work outside the layers (hover a cell)");
        GlossaryTooltips.header(stage, "Stage", "The profiler's stage: one timed piece of device work (hover a cell "
                + "for what it computes)");
        TableColumn<StageSummary.Row, Number> total = number("Total", StageSummary.Row::totalMicros, StageSummary::formatMicros);
        TableColumn<StageSummary.Row, Number> mean = number("Mean", StageSummary.Row::meanMicros, StageSummary::formatMicros);
        TableColumn<StageSummary.Row, Number> calls = number("Calls", r -> r.calls(), v -> Long.toString((long) v));
        TableColumn<StageSummary.Row, Number> share = number("Share", StageSummary.Row::share,
                v -> String.format(Locale.ROOT, "%.1f %%", v * 100));
        // weights read per call, counted in their stored type (a Q4_K weight is 4.5 bits), and the rate they came at
        TableColumn<StageSummary.Row, Number> weights = number("Weights / call", StageSummary.Row::meanWeightBytes,
                v -> Double.isNaN(v) ? "\u2014" : v == 0 ? "0" : StageBytes.megabytes(v));
        TableColumn<StageSummary.Row, Number> gbps = number("GB/s", StageSummary.Row::gbps,
                v -> Double.isNaN(v) ? "\u2014" : String.format(Locale.ROOT, "%.1f", v));
        weights.setId("stage-weights-column");
        gbps.setId("stage-gbps-column");
        phase.setPrefWidth(120);
        stage.setPrefWidth(130);
        table.getColumns().addAll(java.util.List.of(phase, block, stage, total, mean, calls, share, weights, gbps));
        total.setSortType(TableColumn.SortType.DESCENDING);
        table.getSortOrder().add(total);
        // picking a row picks its stage out in the chart
        table.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                chart.highlightedStageProperty().set(b.stage());
            }
        });
        VBox.setVgrow(table, javafx.scene.layout.Priority.ALWAYS);
        getChildren().addAll(caption, table);
    }

    /** Shows the summary of {@code spans}; {@code what} says what they are ("whole run", "selection"). */
    public void show(Collection<StageSpan> spans, String what) {
        show(StageSummary.of(spans, bytes::of), what);
    }

    /** The weight bytes of the spans shown from now on (the run's, with the loaded model's types). */
    public void setStageBytes(StageBytes bytes) {
        this.bytes = bytes == null ? StageBytes.UNKNOWN : bytes;
    }

    /** Shows a summary made elsewhere (the whole run's, built off the FX thread with its layout). */
    public void show(StageSummary summary, String what) {
        this.summary = summary;
        rows.setAll(summary.rows());
        table.sort();
        StringBuilder text = new StringBuilder(what).append(": ").append(summary.caption());
        for (Phase p : Phase.values()) {
            double micros = summary.rows().stream().filter(r -> r.phase() == p).mapToDouble(StageSummary.Row::totalMicros).sum();
            if (micros > 0) {
                text.append(" \u00b7 ").append(p.label()).append(' ').append(StageSummary.formatMicros(micros));
            }
        }
        caption.setText(text.toString());
    }

    public StageSummary summary() {
        return summary;
    }

    public TableView<StageSummary.Row> tableView() {
        return table;
    }

    public Label caption() {
        return caption;
    }

    /** A text cell whose tooltip is the glossary entry of its text. */
    private static TableCell<StageSummary.Row, String> glossaryCell(Function<String, String> entry) {
        return new TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTooltip(empty || item == null ? null : GlossaryTooltips.of(entry.apply(item)));
            }
        };
    }

    private static TableColumn<StageSummary.Row, String> text(String name, Function<StageSummary.Row, String> f) {
        TableColumn<StageSummary.Row, String> c = new TableColumn<>(name);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        return c;
    }

    private static TableColumn<StageSummary.Row, Number> number(String name, Function<StageSummary.Row, Number> f,
                                                                 java.util.function.DoubleFunction<String> format) {
        TableColumn<StageSummary.Row, Number> c = new TableColumn<>(name);
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
