package org.moescope.app.view;

import java.util.Locale;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextFormatter;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.moescope.app.metrics.StageComparison;
import org.moescope.app.service.CompareTask;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;

/**
 * A/B compare: choose two switch settings, run the run panel's prompt with each (profiling on), and read the
 * per-stage device times side by side with B's difference from A in percent.
 */
public final class ComparePane extends BorderPane {
    private final SessionViewModel vm;
    private final SwitchColumn a = new SwitchColumn("A", MoeOptions.DEFAULT);
    private final SwitchColumn b = new SwitchColumn("B", MoeOptions.DEFAULT.withDirectDispatch(true));
    private final CheckBox warmUp = new CheckBox("Warm-up run first");
    private final javafx.scene.control.Spinner<Integer> repeats = new javafx.scene.control.Spinner<>(1, 50, 3);
    private final TableView<StageComparison.Row> table = new TableView<>();
    private static final String NO_TOTALS = "Runs the prompt of the run panel twice; ends the current run.";
    private final Label totals = new Label(NO_TOTALS);
    private final TableColumn<StageComparison.Row, Number> columnA = new TableColumn<>("A (µs)");
    private final TableColumn<StageComparison.Row, Number> columnB = new TableColumn<>("B (µs)");

    public ComparePane(SessionViewModel vm) {
        this.vm = vm;
        getStyleClass().add("compare-pane");
        setPadding(new Insets(12));

        warmUp.setId("compare-warm-up");
        warmUp.setSelected(true);
        Button run = new Button("Run A/B");
        run.setId("compare-button");
        run.getStyleClass().add("accent");
        run.setOnAction(e -> run());
        run.disableProperty().bind(vm.readyProperty().not());
        HBox presets = new HBox(6, preset("Indirect vs direct dispatch", MoeOptions.DEFAULT, MoeOptions.DEFAULT.withDirectDispatch(true)),
                preset("Fused vs unfused SiLU", MoeOptions.DEFAULT, MoeOptions.DEFAULT.withFusedGateUpSilu(false)),
                preset("Device vs host top-k", MoeOptions.DEFAULT, MoeOptions.DEFAULT.withHostTopk(true)),
                preset("Float vs Q8 activations", MoeOptions.DEFAULT, MoeOptions.DEFAULT.withQ8Activations(true)));
        presets.getChildren().get(3).setId("compare-preset-q8");
        GridPane switches = new GridPane();
        switches.setHgap(18);
        switches.setVgap(4);
        switches.add(a, 0, 0);
        switches.add(b, 1, 0);
        repeats.setId("compare-repeats");
        repeats.setPrefWidth(80);
        repeats.setEditable(true);
        refuseBadText(repeats);
        Label repeatsLabel = new Label("Runs per side (median)");
        VBox controls = new VBox(8, presets, switches, new HBox(12, run, repeatsLabel, repeats, warmUp, totals));
        ((HBox) controls.getChildren().get(2)).setAlignment(Pos.CENTER_LEFT);
        controls.setPadding(new Insets(0, 0, 10, 0));
        setTop(controls);

        table.setId("compare-table");
        table.setPlaceholder(new Label("No comparison yet: press Run A/B."));
        TableColumn<StageComparison.Row, String> stage = new TableColumn<>("Stage");
        stage.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().label()));
        stage.setPrefWidth(260);
        // each row's stage explained on hover: its path, block and stage from the glossary
        stage.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                StageComparison.Row row = empty ? null : getTableRow().getItem();
                setTooltip(row == null ? null : org.moescope.app.glossary.GlossaryTooltips.of(
                        org.moescope.app.glossary.Glossary.stage(row.key().block(), row.key().stage())));
            }
        });
        columnA.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().microsA()));
        columnA.setCellFactory(col -> numberCell("%.1f"));
        columnB.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().microsB()));
        columnB.setCellFactory(col -> numberCell("%.1f"));
        TableColumn<StageComparison.Row, Number> delta = new TableColumn<>("B − A (%)");
        delta.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().deltaPercent()));
        delta.setCellFactory(col -> deltaCell());
        columnA.setPrefWidth(300);
        columnB.setPrefWidth(300);
        delta.setPrefWidth(120);
        table.getColumns().add(stage);
        table.getColumns().add(columnA);
        table.getColumns().add(columnB);
        table.getColumns().add(delta);
        setCenter(table);

        vm.comparisonProperty().addListener((obs, was, result) -> show(result));
    }

    private Button preset(String text, MoeOptions optionsA, MoeOptions optionsB) {
        Button button = new Button(text);
        button.setOnAction(e -> {
            a.set(optionsA);
            b.set(optionsB);
        });
        return button;
    }

    /** Runs A then B with the chosen settings. */
    public void run() {
        vm.compare(a.options(), b.options(), warmUp.isSelected(), repeats.getValue());
    }

    private void show(CompareTask.Result result) {
        if (result == null) {
            // Reset or another model: the comparison measured something the session no longer holds
            table.getItems().clear();
            columnA.setText("A (µs)");
            columnB.setText("B (µs)");
            totals.setText(NO_TOTALS);
            return;
        }
        a.set(result.optionsA());
        b.set(result.optionsB());
        columnA.setText("A: " + result.optionsA().label() + " (µs)");
        columnB.setText("B: " + result.optionsB().label() + " (µs)");
        table.getItems().setAll(result.comparison().rows());
        StageComparison c = result.comparison();
        totals.setText(String.format(Locale.ROOT, "Device time per run (median of %d): A %.2f ms, B %.2f ms, B − A %+.1f %%",
                c.runsA(), c.totalMicrosA() / 1000, c.totalMicrosB() / 1000, c.totalDeltaPercent()));
    }

    /** The line under the switches: what a run does, or the device time per run of the comparison shown. */
    public Label totals() {
        return totals;
    }

    public TableView<StageComparison.Row> table() {
        return table;
    }

    private static TableCell<StageComparison.Row, Number> numberCell(String format) {
        return new TableCell<>() {
            @Override
            protected void updateItem(Number value, boolean empty) {
                super.updateItem(value, empty);
                setText(empty || value == null ? null : Double.isNaN(value.doubleValue()) ? "—" : String.format(Locale.ROOT, format, value.doubleValue()));
                setAlignment(Pos.CENTER_RIGHT);
            }
        };
    }

    private static TableCell<StageComparison.Row, Number> deltaCell() {
        return new TableCell<>() {
            @Override
            protected void updateItem(Number value, boolean empty) {
                super.updateItem(value, empty);
                getStyleClass().removeAll("delta-faster", "delta-slower");
                if (empty || value == null || Double.isNaN(value.doubleValue())) {
                    setText(empty ? null : "—");
                } else {
                    double d = value.doubleValue();
                    setText(String.format(Locale.ROOT, "%+.1f %%", d));
                    getStyleClass().add(d < 0 ? "delta-faster" : "delta-slower");
                }
                setAlignment(Pos.CENTER_RIGHT);
            }
        };
    }

    /**
     * Lets the runs-per-side field take only a whole number within its bounds: other text (letters, an empty field,
     * a number out of range) is refused when committed, and the field shows the value it keeps again, so Run A/B never
     * runs with a number other than the one shown.
     */
    private static void refuseBadText(Spinner<Integer> spinner) {
        var factory = (SpinnerValueFactory.IntegerSpinnerValueFactory) spinner.getValueFactory();
        StringConverter<Integer> strict = new StringConverter<>() {
            @Override
            public String toString(Integer value) {
                return value == null ? "" : value.toString();
            }

            @Override
            public Integer fromString(String text) {
                int value = Integer.parseInt(text.strip());
                if (value < factory.getMin() || value > factory.getMax()) {
                    throw new IllegalArgumentException(value + " is out of range");
                }
                return value;
            }
        };
        // the editor's formatter restores the text of the value when the conversion throws
        var formatter = new TextFormatter<>(strict, factory.getValue());
        spinner.getEditor().setTextFormatter(formatter);
        factory.valueProperty().bindBidirectional(formatter.valueProperty());
        // the spinner converts the text on commit as well: refused text keeps the value instead of throwing
        factory.setConverter(new StringConverter<>() {
            @Override
            public String toString(Integer value) {
                return strict.toString(value);
            }

            @Override
            public Integer fromString(String text) {
                try {
                    return strict.fromString(text);
                } catch (IllegalArgumentException e) {
                    return factory.getValue();
                }
            }
        });
        spinner.setTooltip(new Tooltip("Runs of each side: a whole number from " + factory.getMin() + " to "
                + factory.getMax() + "; the median of their device times is compared"));
    }

    /** Chooses the A and B settings and the runs per side (for scripted use and tests). */
    public void set(MoeOptions optionsA, MoeOptions optionsB, int runsPerSide, boolean warmUpFirst) {
        a.set(optionsA);
        b.set(optionsB);
        repeats.getValueFactory().setValue(runsPerSide);
        warmUp.setSelected(warmUpFirst);
    }

    /** Four check boxes for one side's kernel switches. */
    private static final class SwitchColumn extends VBox {
        private final CheckBox fused = new CheckBox("Fused gate+up+SiLU");
        private final CheckBox hostTopk = new CheckBox("Host top-k");
        private final CheckBox direct = new CheckBox("Direct dispatch");
        private final CheckBox q8 = new CheckBox("Q8 activations");

        SwitchColumn(String side, MoeOptions initial) {
            super(4);
            Label title = new Label("Setting " + side);
            title.getStyleClass().add("section-title");
            fused.setId("compare-" + side + "-fused");
            hostTopk.setId("compare-" + side + "-host-topk");
            direct.setId("compare-" + side + "-direct");
            q8.setId("compare-" + side + "-q8");
            q8.setTooltip(new javafx.scene.control.Tooltip(SwitchPanel.Q8_TIP));
            getChildren().addAll(title, fused, hostTopk, direct, q8);
            set(initial);
        }

        void set(MoeOptions o) {
            fused.setSelected(o.fusedGateUpSilu());
            hostTopk.setSelected(o.hostTopk());
            direct.setSelected(o.directDispatch());
            q8.setSelected(o.q8Activations());
        }

        MoeOptions options() {
            return new MoeOptions(fused.isSelected(), hostTopk.isSelected(), direct.isSelected(), true, q8.isSelected());
        }
    }
}
