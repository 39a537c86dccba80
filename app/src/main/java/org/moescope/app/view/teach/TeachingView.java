package org.moescope.app.view.teach;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Hyperlink;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.Duration;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.view.routing.ProbabilityBars;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.moe.DispatchPlan;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.session.StepResult;

/**
 * Teaching mode: one token through one MoE layer, one stop at a time, in type large enough for a projector. Space,
 * Right or Page Down go on; Backspace, Shift+Space, Left or Page Up go back; Home and End jump to the ends; the
 * phase list on the left jumps anywhere. Pick the step, layer and token at the top and press Trace (Enter): the
 * engine replays the run to that step and reads back the token's numbers ({@link MoeTokenTrace}). K (or the link)
 * shows the kernel timing of that step's MoE block in the timeline.
 */
public final class TeachingView extends BorderPane {
    private final SessionViewModel vm;
    private final FlameChart flameChart;
    private final Runnable showTimeline;
    private final Spinner<Integer> step = new Spinner<>();
    private final Spinner<Integer> layer = new Spinner<>();
    private final Spinner<Integer> row = new Spinner<>();
    private final Button trace = new Button("Trace");
    private final Hyperlink kernelTiming = new Hyperlink("Kernel timing of this step \u25b8");
    private final Label summary = new Label();
    private final ListView<WalkPhase> phaseList = new ListView<>();
    private final Label title = new Label();
    private final Label lead = new Label();
    private final VBox lines = new VBox(4);
    private final Label position = new Label();
    /** Node property holding a line's labels in cell order (a vector line shows them over two rows). */
    private static final String CELLS = "walk-cells";
    private TeachingWalk walk;
    private int stepsSeen;

    public TeachingView(SessionViewModel vm, FlameChart flameChart, Runnable showTimeline) {
        this.vm = vm;
        this.flameChart = flameChart;
        this.showTimeline = showTimeline;
        setId("teaching-view");
        getStyleClass().add("teaching-view");
        getStylesheets().add(Objects.requireNonNull(TeachingView.class.getResource("teaching.css")).toExternalForm());

        step.setId("teach-step");
        layer.setId("teach-layer");
        row.setId("teach-row");
        trace.setId("teach-trace");
        trace.setDefaultButton(false);
        trace.setTooltip(new Tooltip("Replay the run to this step and read back this token's MoE block (Enter)"));
        trace.setOnAction(e -> traceSelected());
        trace.disableProperty().bind(vm.readyProperty().not());
        kernelTiming.setId("teach-kernel-timing");
        kernelTiming.getStyleClass().add("walk-kernel-timing");
        kernelTiming.setTooltip(new Tooltip("Select this step's MoE block of this layer in the timeline (K)"));
        kernelTiming.setOnAction(e -> showKernelTiming());
        kernelTiming.setDisable(true);
        for (Spinner<Integer> s : List.of(step, layer, row)) {
            s.setPrefWidth(110);
        }
        step.setTooltip(new Tooltip("The run's step: 0 is the prefill, then one per decode step"));
        layer.setTooltip(new Tooltip("The MoE layer to follow the token through"));
        row.setTooltip(new Tooltip("The token's row in the step: its prompt position in the prefill, its sequence"
                + " in a batched decode step"));
        summary.setId("teach-summary");
        summary.setMinWidth(0);
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox top = new HBox(10, fixed(new Label("Step")), step, fixed(new Label("Layer")), layer,
                fixed(new Label("Token")), row, trace, summary, spacer, kernelTiming);
        trace.setMinWidth(Region.USE_PREF_SIZE);
        kernelTiming.setMinWidth(Region.USE_PREF_SIZE);
        for (Spinner<Integer> sp : List.of(step, layer, row)) {
            sp.setMinWidth(90);
        }
        top.setAlignment(Pos.CENTER_LEFT);
        top.setPadding(new Insets(6, 10, 6, 10));

        phaseList.setId("teach-phases");
        phaseList.getStyleClass().add("walk-phases");
        phaseList.setPrefWidth(380);
        phaseList.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(WalkPhase item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : (getIndex() + 1) + ". " + item.title());
            }
        });
        phaseList.getSelectionModel().selectedIndexProperty().addListener(o -> showPhase());

        title.setId("teach-title");
        title.getStyleClass().add("walk-title");
        title.setWrapText(true);
        lead.setId("teach-lead");
        lead.getStyleClass().add("walk-lead");
        lead.setWrapText(true);
        lines.setId("teach-lines");
        VBox page = new VBox(18, title, lead, lines);
        page.setPadding(new Insets(16, 24, 16, 24));
        ScrollPane scroll = new ScrollPane(page);
        scroll.setFitToWidth(true);

        position.setId("teach-position");
        position.setMinWidth(Region.USE_PREF_SIZE);
        Label hint = new Label("Space / \u2192 next \u00b7 Backspace / Shift+Space / \u2190 back \u00b7 Home / End"
                + " \u00b7 Enter trace \u00b7 K kernel timing \u00b7 hover a number for what it is");
        hint.setMinWidth(0);
        HBox footer = new HBox(24, position, hint);
        footer.getStyleClass().add("walk-footer");
        footer.setPadding(new Insets(6, 10, 6, 10));

        setTop(top);
        setLeft(phaseList);
        setCenter(scroll);
        setBottom(footer);
        addEventFilter(KeyEvent.KEY_PRESSED, this::onKey);

        vm.steps().addListener((ListChangeListener<StepResult>) c -> {
            if (vm.steps().isEmpty() && walk != null) {
                forget(); // a new run or a reset: the walk's numbers belong to a run that is gone
            }
            updateChoices();
        });
        vm.configProperty().addListener(o -> updateChoices());
        step.valueProperty().addListener(o -> updateRows());
        updateChoices();
        showPhase();
    }

    // ---------------------------------------------------------------- commands

    /** Traces the chosen step, layer and token (on the engine thread); the walk starts when the trace arrives. */
    public void traceSelected() {
        if (vm.configProperty().get() != null && layer.getValue() == null) {
            vm.showStatus("This model has no MoE layer to walk through.");
            return;
        }
        if (step.getValue() == null || row.getValue() == null) {
            vm.showStatus("Run the model first (Prefill, Step or Generate): the walk follows a token of the run.");
            return;
        }
        vm.traceToken(step.getValue(), layer.getValue(), row.getValue(), this::setTrace);
    }

    /** Chooses {@code step}, {@code layer} and {@code row} and traces them (the token inspector's action). */
    public void walkThrough(int stepValue, int layerValue, int rowValue) {
        updateChoices();
        step.getValueFactory().setValue(stepValue);
        layer.getValueFactory().setValue(layerValue);
        updateRows();
        row.getValueFactory().setValue(rowValue);
        traceSelected();
    }

    /** Shows the walk of {@code t} from its first stop. */
    public void setTrace(MoeTokenTrace t) {
        walk = TeachingWalk.of(t, vm.tokenText());
        phaseList.setItems(FXCollections.observableArrayList(walk.phases()));
        summary.setText("step " + t.step() + " · " + t.phase().label() + " · layer " + t.layer() + " · row " + t.row());
        kernelTiming.setDisable(false);
        phaseList.getSelectionModel().select(0);
        phaseList.requestFocus();
    }

    private void forget() {
        walk = null;
        phaseList.getItems().clear();
        summary.setText("");
        kernelTiming.setDisable(true);
        showPhase();
    }

    public void next() {
        go(index() + 1);
    }

    public void previous() {
        go(index() - 1);
    }

    /** Jumps to stop {@code i} (clamped to the walk). */
    public void go(int i) {
        if (walk == null) {
            return;
        }
        int clamped = Math.max(0, Math.min(walk.size() - 1, i));
        phaseList.getSelectionModel().select(clamped);
        phaseList.scrollTo(clamped);
    }

    /** Selects the traced step's MoE block of the traced layer in the timeline and shows it. */
    public void showKernelTiming() {
        if (walk == null) {
            return;
        }
        MoeTokenTrace t = walk.trace();
        if (KernelTiming.select(flameChart, t.step(), t.layer())) {
            showTimeline.run();
        } else {
            vm.showStatus("Step " + t.step() + " has no kernel timings: it ran with profiling off.");
        }
    }

    // ---------------------------------------------------------------- state for tests and the screenshot tour

    /** The walk shown, or null before the first trace. */
    public TeachingWalk walk() {
        return walk;
    }

    public int index() {
        return phaseList.getSelectionModel().getSelectedIndex();
    }

    /** The lines of the stop shown, as their cells' texts. */
    public List<List<String>> shownLines() {
        List<List<String>> out = new ArrayList<>();
        for (Node line : lines.getChildren()) {
            @SuppressWarnings("unchecked")
            List<Label> labels = (List<Label>) line.getProperties().get(CELLS);
            if (labels != null) {
                out.add(labels.stream().map(Label::getText).toList());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- internals

    private void onKey(KeyEvent e) {
        KeyCode code = e.getCode();
        boolean handled = true;
        if (code == KeyCode.SPACE) {
            if (e.isShiftDown()) {
                previous();
            } else {
                next();
            }
        } else if (code == KeyCode.RIGHT || code == KeyCode.PAGE_DOWN) {
            next();
        } else if (code == KeyCode.BACK_SPACE || code == KeyCode.LEFT || code == KeyCode.PAGE_UP) {
            previous();
        } else if (code == KeyCode.HOME) {
            go(0);
        } else if (code == KeyCode.END) {
            go(Integer.MAX_VALUE);
        } else if (code == KeyCode.ENTER) {
            traceSelected();
        } else if (code == KeyCode.K && !e.isShortcutDown()) {
            showKernelTiming();
        } else {
            handled = false;
        }
        if (handled) {
            e.consume();
        }
    }

    private void showPhase() {
        lines.getChildren().clear();
        int i = index();
        if (walk == null || i < 0) {
            title.setText("One token through one MoE layer");
            lead.setText("Run the model (Prefill, Step or Generate), choose a step, a MoE layer and a token above and"
                    + " press Trace (Enter); or pick a token in the Routing tab's inspector and press \u201cWalk"
                    + " through this token\u201d. Then walk with the space bar.");
            position.setText("");
            return;
        }
        WalkPhase p = walk.phases().get(i);
        title.setText(p.title());
        lead.setText(p.lead());
        position.setText((i + 1) + " / " + walk.size());
        for (WalkLine line : p.lines()) {
            List<Label> labels = new ArrayList<>();
            for (WalkCell cell : line.cells()) {
                labels.add(label(cell));
            }
            // a sentence on its own wraps with the page; cells side by side flow onto the next row when they must
            Node node = line.vector() ? vectorLine(labels)
                    : labels.size() == 1 ? labels.get(0) : new FlowPane(10, 4, labels.toArray(Node[]::new));
            node.getStyleClass().add("walk-line");
            node.getProperties().put(CELLS, labels);
            lines.getChildren().add(node);
        }
        if (p.id().equals("softmax") || p.id().equals("topk")) {
            lines.getChildren().add(probabilityChart(walk.trace()));
        } else if (p.id().equals("tokens-per-expert") || p.id().equals("tiles")) {
            MoeTokenTrace t = walk.trace();
            LayerRouting r = t.layerRouting();
            DispatchPlan plan = DispatchPlan.fromIds(r.ids(), r.tokens(), r.experts(), r.k());
            lines.getChildren().add(p.id().equals("tiles")
                    ? new TileStrip(plan, t.tileRows(), t.experts().stream()
                            .mapToInt(e -> t.row() * r.k() + e.slot()).toArray())
                    : new ExpertCountBars(plan.counts(),
                            t.experts().stream().mapToInt(MoeTokenTrace.ExpertPass::expert).toArray()));
        }
    }

    /** The router's probabilities over all experts, the chosen ones coloured (the token inspector's chart). */
    private static Node probabilityChart(MoeTokenTrace t) {
        ProbabilityBars bars = new ProbabilityBars();
        bars.setPrefHeight(280);
        bars.setId("teach-probabilities");
        int[] chosen = t.experts().stream().mapToInt(MoeTokenTrace.ExpertPass::expert).toArray();
        bars.show(t.probs(), chosen, "p(expert | token) over all " + t.probs().length + " experts · coloured: the top-"
                + chosen.length);
        return bars;
    }

    /**
     * A vector over two rows: its formula, shape and norm, then its first elements (the cells of
     * {@link NumberText#vector}: formula, shape, "[", elements…, "]", norm label, norm).
     */
    private static Node vectorLine(List<Label> labels) {
        int n = labels.size();
        labels.get(0).getStyleClass().add("walk-formula");
        labels.get(1).getStyleClass().add("walk-shape");
        // flow panes: on a narrow window the elements wrap rather than widen the page
        FlowPane head = new FlowPane(18, 2, labels.get(0), labels.get(1), labels.get(n - 2), labels.get(n - 1));
        FlowPane elements = new FlowPane(14, 2);
        elements.getChildren().addAll(labels.subList(2, n - 2));
        elements.setPadding(new Insets(0, 0, 0, 40));
        return new VBox(2, head, elements);
    }

    private static Label fixed(Label label) {
        label.setMinWidth(Region.USE_PREF_SIZE);
        return label;
    }

    private static Label label(WalkCell cell) {
        Label l = new Label(cell.text());
        if (cell.isNumber() || cell.text().length() < 40) {
            l.setMinWidth(Region.USE_PREF_SIZE);
        } else {
            l.setWrapText(true);
        }
        l.getStyleClass().add(cell.isNumber() ? "walk-number" : "walk-label");
        if (!cell.meaning().isEmpty()) {
            Tooltip tip = new Tooltip(cell.meaning());
            tip.setShowDelay(Duration.millis(200));
            tip.setStyle("-fx-font-size: 20px;");
            tip.setWrapText(true);
            tip.setMaxWidth(700);
            l.setTooltip(tip);
        }
        return l;
    }

    /** Spinner ranges from the run (steps) and the model (its MoE layers). */
    private void updateChoices() {
        List<StepResult> steps = vm.steps();
        // the first decode step by default (the simplest walk), until the run has one, then what was chosen
        Integer keepStep = stepsSeen <= 1 ? null : step.getValue();
        stepsSeen = steps.size();
        int maxStep = Math.max(0, steps.size() - 1);
        step.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, maxStep,
                keepStep == null ? Math.min(1, maxStep) : Math.min(keepStep, maxStep)));
        ModelConfig config = vm.configProperty().get();
        List<Integer> moeLayers = new ArrayList<>();
        if (config != null) {
            for (int l = 0; l < config.numHiddenLayers(); l++) {
                if (config.isMoeLayer(l)) {
                    moeLayers.add(l);
                }
            }
        }
        Integer keepLayer = layer.getValue();
        var layers = new SpinnerValueFactory.ListSpinnerValueFactory<>(FXCollections.observableArrayList(moeLayers));
        layer.setValueFactory(layers);
        if (!moeLayers.isEmpty()) {
            layers.setValue(keepLayer != null && moeLayers.contains(keepLayer) ? keepLayer : moeLayers.get(0));
        }
        updateRows();
    }

    private void updateRows() {
        List<StepResult> steps = vm.steps();
        Integer s = step.getValue();
        int rows = s != null && s < steps.size() ? steps.get(s).tokensProcessed() : 1;
        Integer keep = row.getValue();
        row.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, Math.max(0, rows - 1),
                keep == null ? 0 : Math.min(keep, rows - 1)));
    }
}
