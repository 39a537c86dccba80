package org.moescope.app.view.routing;

import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.moescope.app.control.ExpertPalette;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.StepResult;

/**
 * For teaching: one token's trip through the MoE blocks. Shows, at the chosen layer, its router probabilities over
 * all experts (bar chart), the chosen top-k with probabilities and the weights the outputs are mixed with, and the
 * MoE stages it went through with tensor shapes; above, a layer × expert strip of its probabilities at every layer
 * (click a row to pick the layer).
 */
public class TokenInspector extends VBox {

    private final IntegerProperty row = new SimpleIntegerProperty(this, "row", -1);
    private final IntegerProperty layerIndex = new SimpleIntegerProperty(this, "layerIndex", 0);
    private final ObjectProperty<ModelConfig> modelConfig = new SimpleObjectProperty<>(this, "modelConfig");
    /** Whether the model's experts are quantized, so that a step with Q8 activations on took them. */
    private final javafx.beans.property.BooleanProperty quantizedExperts =
            new javafx.beans.property.SimpleBooleanProperty(this, "quantizedExperts");

    private final Label header = new Label("Select a token in the text or a heatmap row to inspect its routing.");
    /** Opens the teaching walk for (step, layer, row in the step) of the selected token; set by the main window. */
    private final ObjectProperty<WalkThrough> onWalkThrough = new SimpleObjectProperty<>(this, "onWalkThrough");
    private final javafx.scene.control.Button walkThrough = new javafx.scene.control.Button("Walk through this token");
    private final RoutingHeatmap allLayers = new RoutingHeatmap();
    private final Label allLayersTitle = new Label();
    private final ProbabilityBars bars = new ProbabilityBars();
    private final GridPane topK = new GridPane();
    private final GridPane path = new GridPane();
    private final Label pathSummary = new Label();
    private final IntFunction<String> tokenText;
    /** Called with a stage's name when the user clicks it in the stage list (null: the names are not links). */
    private final ObjectProperty<java.util.function.Consumer<String>> onStageClicked =
            new SimpleObjectProperty<>(this, "onStageClicked");
    private RoutingRun run = new RoutingRun(List.of());
    private List<StepResult> steps = List.of();

    public TokenInspector(IntFunction<String> tokenText) {
        this.tokenText = tokenText;
        getStyleClass().add("token-inspector");
        setSpacing(6);
        setPadding(new Insets(6));
        header.setWrapText(true);
        allLayersTitle.setWrapText(true);
        allLayersTitle.setMinHeight(Region.USE_PREF_SIZE);
        header.setMinHeight(Region.USE_PREF_SIZE);
        header.getStyleClass().add("inspector-header");
        allLayers.setPrefHeight(150);
        allLayers.setMinHeight(110);
        allLayers.selectedRowProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) {
                layerIndex.set(b.intValue());
            }
        });
        topK.setHgap(12);
        topK.setVgap(2);
        path.setHgap(10);
        path.setVgap(3);
        // stage, in and out keep their width (their labels do not shrink); the description takes the rest and wraps
        ColumnConstraints what = new ColumnConstraints();
        what.setHgrow(Priority.ALWAYS);
        what.setMinWidth(120);
        path.getColumnConstraints().addAll(new ColumnConstraints(), new ColumnConstraints(), new ColumnConstraints(), what);
        pathSummary.getStyleClass().add("path-summary");
        pathSummary.setWrapText(true);
        pathSummary.setMinHeight(Region.USE_PREF_SIZE);
        walkThrough.setId("inspector-walk-through");
        walkThrough.setOnAction(e -> walkThroughSelected());
        getChildren().addAll(header, walkThrough, allLayersTitle, allLayers, section("Router probabilities at this layer"), bars,
                section("Chosen experts"), topK, section("Stages of the MoE block for this token"), pathSummary, path);
        row.addListener(o -> refresh());
        layerIndex.addListener(o -> refresh());
        modelConfig.addListener(o -> refresh());
        quantizedExperts.addListener(o -> refresh());
        onStageClicked.addListener(o -> refresh());
        refresh();
    }

    private static Label section(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("section-title");
        l.setStyle("-fx-font-weight: bold; -fx-padding: 6 0 0 0;");
        return l;
    }

    /** The teaching walk's entry: a token's step, MoE layer and row in its step. */
    @FunctionalInterface
    public interface WalkThrough {
        void open(int step, int layer, int rowInStep);
    }

    public ObjectProperty<WalkThrough> onWalkThroughProperty() {
        return onWalkThrough;
    }

    private void walkThroughSelected() {
        int r = row.get();
        int li = layerIndex.get();
        if (onWalkThrough.get() != null && r >= 0 && r < run.rows().size() && li >= 0 && li < run.layers().length) {
            RoutingRun.TokenRow token = run.rows().get(r);
            onWalkThrough.get().open(token.step(), run.layers()[li], token.rowInStep());
        }
    }

    /** The token row of {@link RoutingRun#rows()}, -1 for none. */
    public IntegerProperty rowProperty() {
        return row;
    }

    /** The MoE layer, as an index into {@link RoutingRun#layers()}. */
    public IntegerProperty layerIndexProperty() {
        return layerIndex;
    }

    /** Model sizes for the shapes (null: shapes use symbols h, I, E). */
    public ObjectProperty<ModelConfig> modelConfigProperty() {
        return modelConfig;
    }

    /** What a click on a stage name in the stage list does, given the name; null leaves the names plain text. */
    public ObjectProperty<java.util.function.Consumer<String>> onStageClickedProperty() {
        return onStageClicked;
    }

    public javafx.beans.property.BooleanProperty quantizedExpertsProperty() {
        return quantizedExperts;
    }

    public void setRun(RoutingRun run, List<StepResult> steps) {
        this.run = run;
        this.steps = List.copyOf(steps);
        refresh();
    }

    /** Text of the top-k table, row by row, for tests and screen readers. */
    public List<String> topKRows() {
        return topK.getChildren().stream().filter(n -> n instanceof Label).map(n -> ((Label) n).getText()).toList();
    }

    public List<String> stageRows() {
        return path.getChildren().stream().filter(n -> n instanceof Label).map(n -> ((Label) n).getText()).toList();
    }

    public String headerText() {
        return header.getText();
    }

    private void refresh() {
        topK.getChildren().clear();
        path.getChildren().clear();
        int r = row.get();
        int li = layerIndex.get();
        boolean valid = r >= 0 && r < run.rows().size() && li >= 0 && li < run.layers().length;
        for (javafx.scene.Node n : getChildren().subList(1, getChildren().size())) {
            n.setVisible(valid);
            n.setManaged(valid);
        }
        if (!valid) {
            header.setText("Select a token in the text or a heatmap row to inspect its routing.");
            return;
        }
        RoutingRun.TokenRow token = run.rows().get(r);
        int layer = run.layers()[li];
        StepResult step = steps.stream().filter(s -> s.step() == token.step()).findFirst().orElse(null);
        int stepTokens = step != null ? step.tokensProcessed() : 1;
        header.setText("Token " + run.rowLabel(r, tokenText) + " \u00b7 id " + token.tokenId() + " \u00b7 step "
                + token.step() + " (" + token.phase().label() + (stepTokens > 1 ? ", " + stepTokens + " tokens in the step" : "")
                + ") \u00b7 layer " + layer);

        float[] probs = run.probs(r, li);
        int[] ids = run.topIds(r, li);
        float[] weights = run.topWeights(r, li);
        fillAllLayers(r);
        allLayers.selectedRowProperty().set(li);
        allLayers.selectedColumnProperty().set(ids.length > 0 ? ids[0] : -1);
        float[] shown = probs;
        if (shown == null) {
            shown = new float[run.experts()];
            for (int j = 0; j < ids.length; j++) {
                shown[ids[j]] = weights[j];
            }
        }
        bars.show(shown, ids, probs != null ? "p(expert | token) at layer " + layer + " \u00b7 coloured: the top-" + ids.length
                : "probabilities not captured: bars show the top-" + ids.length + " weights");

        ModelConfig cfg = modelConfig.get();
        boolean norm = cfg != null ? cfg.normTopkProb() : probs != null && ids.length > 0 && Math.abs(weights[0] - probs[ids[0]]) > 1e-5;
        double topSum = 0;
        for (int id : ids) {
            topSum += probs != null ? probs[id] : 0;
        }
        addRow(topK, 0, "rank", "expert", "probability", "weight", "");
        glossaryHeader(topK, 1, Glossary.term("expert"));
        glossaryHeader(topK, 2, Glossary.term("router_probability"));
        glossaryHeader(topK, 3, Glossary.term("routing_weight"));
        for (int j = 0; j < ids.length; j++) {
            Region swatch = new Region();
            swatch.setMinSize(10, 10);
            swatch.setMaxSize(10, 10);
            swatch.setBackground(new Background(new BackgroundFill(ExpertPalette.color(ids[j]), null, null)));
            Label expert = fixed(Integer.toString(ids[j]));
            expert.setGraphic(swatch);
            topK.add(fixed(Integer.toString(j + 1)), 0, j + 1);
            topK.add(expert, 1, j + 1);
            topK.add(fixed(probs != null ? fmt(probs[ids[j]]) : "\u2014"), 2, j + 1);
            topK.add(fixed(fmt(weights[j])), 3, j + 1);
        }
        Label note = wrapping(ids.length == 0 ? "" : norm
                ? "weight = probability / " + (probs != null ? fmt(topSum) : "sum of the top-" + ids.length)
                  + " (the top-" + ids.length + " sum): renormalised so the chosen weights add to 1"
                : "weight = probability (not renormalised)");
        note.setTooltip(GlossaryTooltips.of(Glossary.term("renormalisation")));
        topK.add(note, 0, ids.length + 1, 5, 1);

        MoeOptions options = step != null ? step.options() : MoeOptions.DEFAULT;
        int hidden = cfg != null ? cfg.hiddenSize() : 0;
        int inter = cfg != null ? cfg.moeIntermediateSize() : 0;
        pathSummary.setText(MoeStagePath.summary(hidden, inter, ids.length) + "   (" + options.label() + ")");
        addRow(path, 0, "stage", "in", "out", "what it computes", "");
        int i = 1;
        for (MoeStagePath.Stage s : MoeStagePath.of(token.phase(), options, quantizedExperts.get(), hidden, inter,
                run.experts(), Math.max(1, ids.length), Math.max(1, stepTokens), norm)) {
            Label op = wrapping(s.operation());
            Label name = fixed(s.name());
            name.getStyleClass().add("inspector-stage");
            String stageName = s.name();
            boolean link = onStageClicked.get() != null;
            name.setTooltip(GlossaryTooltips.of(GlossaryTooltips.join(Glossary.stage("moe", stageName),
                    link ? "Click to show this stage's span in the timeline." : null)));
            if (link) {
                name.setCursor(javafx.scene.Cursor.HAND);
                name.setStyle("-fx-underline: true;");
                name.setOnMouseClicked(e -> onStageClicked.get().accept(stageName));
            }
            path.add(name, 0, i);
            path.add(fixed(s.input()), 1, i);
            path.add(fixed("\u2192 " + s.output()), 2, i);
            path.add(op, 3, i);
            i++;
        }
    }

    private void fillAllLayers(int r) {
        int[] layers = run.layers();
        int e = run.experts();
        double[] values = new double[layers.length * e];
        boolean anyProbs = false;
        for (int li = 0; li < layers.length; li++) {
            float[] p = run.probs(r, li);
            anyProbs |= p != null;
            for (int x = 0; x < e; x++) {
                values[li * e + x] = p != null ? p[x] : run.weight(r, li, x);
            }
        }
        String what = anyProbs ? "probability" : "weight";
        allLayersTitle.setText("This token at every MoE layer: router " + what + " per expert (click a row to pick the layer)");
        allLayers.setData(new HeatmapData(layers.length, e, values, "layer", "expert", what,
                li -> "layer " + layers[li], x -> Integer.toString(x),
                (li, x) -> "layer " + layers[li] + ", expert " + x + ": " + what + " " + fmt(values[li * e + x])
                        + (run.weight(r, li, x) > 0 ? " (chosen, weight " + fmt(run.weight(r, li, x)) + ")" : "")));
    }

    /** A label that is never narrower than its text. */
    private static Label fixed(String text) {
        Label l = new Label(text);
        l.setMinWidth(Region.USE_PREF_SIZE);
        return l;
    }

    /** A label that wraps within its column and is as tall as its wrapped text. */
    private static Label wrapping(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setMinWidth(0);
        l.setMinHeight(Region.USE_PREF_SIZE);
        return l;
    }

    private static void addRow(GridPane grid, int rowIndex, String... cells) {
        for (int c = 0; c < cells.length; c++) {
            if (!cells[c].isEmpty()) {
                Label l = fixed(cells[c]);
                l.setStyle("-fx-font-weight: bold;");
                grid.add(l, c, rowIndex);
            }
        }
    }

    /** Gives the bold header label in column {@code column} of row 0 the glossary text {@code entry}. */
    private static void glossaryHeader(GridPane grid, int column, String entry) {
        for (javafx.scene.Node n : grid.getChildren()) {
            if (n instanceof Label l && GridPane.getRowIndex(l) != null && GridPane.getRowIndex(l) == 0
                    && GridPane.getColumnIndex(l) != null && GridPane.getColumnIndex(l) == column) {
                l.setTooltip(GlossaryTooltips.of(entry));
            }
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
