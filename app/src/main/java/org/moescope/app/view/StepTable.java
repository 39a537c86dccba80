package org.moescope.app.view;

import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.engine.session.StepResult;

/** The recorded steps of the run: phase, tokens, wall time, device time, spans and the switches each ran with. */
public final class StepTable extends TableView<StepResult> {

    public StepTable(ObservableList<StepResult> steps) {
        super(steps);
        setId("step-table");
        getStyleClass().add("step-table");
        setPlaceholder(new Label("No steps yet: press Prefill, Step or Generate."));
        column("Step", 60, s -> s.step());
        TableColumn<StepResult, Object> phase = column("Phase", 120, s -> s.phase().label());
        phase.setCellFactory(c -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Object item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.toString());
                setTooltip(empty || item == null ? null : GlossaryTooltips.of(Glossary.phase(item.toString())));
            }
        });
        GlossaryTooltips.header(phase, "Phase", "The path the step ran: prefill (the prompt), decode (one token) or "
                + "batched decode (one token of each sequence); hover a cell");
        column("Tokens", 70, s -> s.tokensProcessed());
        column("Wall (ms)", 90, s -> String.format(Locale.ROOT, "%.2f", s.wallNanos() / 1e6));
        column("Device (ms)", 100, s -> s.spans().isEmpty() ? "—"
                : String.format(Locale.ROOT, "%.2f", s.spans().stream().mapToLong(x -> x.durationNanos()).sum() / 1e6));
        column("Spans", 70, s -> s.spans().size());
        TableColumn<StepResult, Object> switches = column("Switches", 260,
                s -> s.options().label() + (s.options().profiling() ? ",profiling" : ""));
        GlossaryTooltips.header(switches, "Switches", String.join("\n", Glossary.term("fused_gate_up_silu"),
                Glossary.term("host_topk"), Glossary.term("direct_dispatch"), Glossary.term("q8_activations")));
        column("New tokens", 260, StepTable::newTokens);
        // follow the newest step
        steps.addListener((javafx.collections.ListChangeListener<StepResult>) c -> {
            if (!steps.isEmpty()) {
                scrollTo(steps.size() - 1);
            }
        });
    }

    /** "id 'text'" per sequence, e.g. "791 ' the' | 264 ' a'". */
    private static String newTokens(StepResult s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.newTokens().length; i++) {
            b.append(i == 0 ? "" : " | ").append(s.newTokens()[i]);
            if (!s.newText()[i].isEmpty()) {
                b.append(" '").append(s.newText()[i].replace("\n", "\\n").replace("\t", "\\t")).append('\'');
            }
        }
        return b.toString();
    }

    private TableColumn<StepResult, Object> column(String title, double width, Function<StepResult, Object> value) {
        TableColumn<StepResult, Object> column = new TableColumn<>(title);
        column.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(value.apply(c.getValue())));
        column.setPrefWidth(width);
        column.setSortable(false);
        getColumns().add(column);
        return column;
    }
}
