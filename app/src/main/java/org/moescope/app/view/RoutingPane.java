package org.moescope.app.view;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import javafx.application.Platform;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.moescope.app.control.expertgrid.ExpertGrid;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.export.RoutingCsvExporter;
import org.moescope.app.view.routing.ExpertGridPanel;
import org.moescope.app.view.routing.ExpertLegend;
import org.moescope.app.view.routing.FollowBar;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.app.view.routing.LayerBalanceTable;
import org.moescope.app.view.routing.RoutedText;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.app.view.routing.RoutingStats;
import org.moescope.app.view.routing.TokenInspector;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.StepResult;

/**
 * The routing view: a MoE layer chooser with that layer's balance figures; the token × expert heatmap (routing
 * weight or router probability) and the layer × expert load heatmap; the text coloured by each token's top-1
 * expert; and, for a selected token (click it in the text or a heatmap row), the {@link TokenInspector}. The
 * per-layer balance table and the expert grid (the selected token's experts at every layer) sit in tabs beside the
 * inspector; legends key the expert colours. Follows {@code steps} as the run grows; in follow mode the token map
 * grows a row per token with the newest selected and in view, and the expert grid takes the load heatmap's place.
 */
public class RoutingPane extends BorderPane {

    private final ObservableList<StepResult> steps;
    private final IntFunction<String> tokenText;
    /** Height kept for the coloured text: four lines of tokens. */
    private static final double TEXT_MIN_HEIGHT = 96;
    private final IntegerProperty layerIndex = new SimpleIntegerProperty(this, "layerIndex", 0);
    private final IntegerProperty selectedRow = new SimpleIntegerProperty(this, "selectedRow", -1);
    private final ComboBox<Integer> layerChooser = new ComboBox<>();
    private final RadioButton showWeights = new RadioButton("routing weight");
    private final RadioButton showProbs = new RadioButton("router probability");
    private final Label balance = new Label();
    private final Label tokenTitle = new Label();
    private final Label loadTitle = new Label("Layer \u00d7 expert: tokens routed to each expert over the whole run (click a row to pick the layer)");
    private final Label textTitle = new Label();
    private final RoutingHeatmap tokenHeatmap = new RoutingHeatmap();
    private final RoutingHeatmap loadHeatmap = new RoutingHeatmap();
    private final RoutedText text = new RoutedText();
    private final TokenInspector inspector;
    private final LayerBalanceTable balanceTable = new LayerBalanceTable();
    private final FollowBar followBar = new FollowBar();
    /** The selected token's experts per layer: in a tab beside the inspector, and under the map while following. */
    private final ExpertGridPanel gridInTab = new ExpertGridPanel();
    private final ExpertGridPanel gridFollowing = new ExpertGridPanel();
    private final ExpertLegend textLegend = new ExpertLegend();
    private final VBox maps;
    private final ScrollPane textScroll;
    /** Height of a token row in the token × expert map while following: readable, and the map grows downwards. */
    static final double FOLLOW_ROW_HEIGHT = 18;
    private RoutingRun run = new RoutingRun(List.of());
    private boolean rebuildPending;
    private boolean updatingChooser;
    /** What the routing views say before a step (every Prefill, Step and Generate records the routing). */
    public static final String NO_ROUTING = "No routing yet: press Prefill, Step or Generate.";

    public RoutingPane(ObservableList<StepResult> steps, IntFunction<String> tokenText) {
        this.steps = steps;
        this.tokenText = tokenText;
        this.inspector = new TokenInspector(tokenText);
        getStyleClass().add("routing-pane");

        layerChooser.setCellFactory(l -> layerCell());
        layerChooser.setButtonCell(layerCell());
        layerChooser.valueProperty().addListener((o, a, b) -> {
            if (!updatingChooser && b != null && run.layerIndex(b) >= 0) {
                layerIndex.set(run.layerIndex(b));
            }
        });
        ToggleGroup cells = new ToggleGroup();
        showWeights.setToggleGroup(cells);
        showProbs.setToggleGroup(cells);
        showWeights.setSelected(true);
        showWeights.setTooltip(GlossaryTooltips.of(Glossary.term("routing_weight")));
        showProbs.setTooltip(GlossaryTooltips.of(Glossary.term("router_probability")));
        cells.selectedToggleProperty().addListener(o -> refreshLayerViews());
        balance.setTooltip(GlossaryTooltips.of(String.join("\n\n", Glossary.metric("max_over_mean"),
                Glossary.metric("cv"), Glossary.metric("entropy"), Glossary.metric("dead"))));
        javafx.scene.layout.Region gap = new javafx.scene.layout.Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox controls = new HBox(8, new Label("MoE layer"), layerChooser, new Label("  cells show"), showWeights, showProbs,
                gap, followBar);
        controls.setAlignment(Pos.CENTER_LEFT);
        for (javafx.scene.Node n : controls.getChildren()) {
            if (n instanceof javafx.scene.layout.Region r) {
                r.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
            }
        }
        balance.setWrapText(true);
        balance.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        VBox bar = new VBox(4, controls, balance);
        bar.setPadding(new Insets(4, 8, 4, 8));

        for (Label l : List.of(tokenTitle, loadTitle, textTitle)) {
            l.setStyle("-fx-font-weight: bold;");
            l.setWrapText(true);
            l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        maps = new VBox(4, tokenTitle, tokenHeatmap, loadTitle, loadHeatmap);
        maps.setPadding(new Insets(4));
        VBox.setVgrow(tokenHeatmap, Priority.ALWAYS);
        VBox.setVgrow(loadHeatmap, Priority.ALWAYS);

        textScroll = new ScrollPane(text);
        textScroll.setId("routed-text-scroll");
        textScroll.setFitToWidth(true);
        // a few lines at least: the inspector below must not squeeze the text away
        textScroll.setMinViewportHeight(TEXT_MIN_HEIGHT);
        ScrollPane inspectorScroll = new ScrollPane(inspector);
        inspectorScroll.setFitToWidth(true);
        VBox.setVgrow(gridFollowing, Priority.ALWAYS);
        TabPane tabs = new TabPane(new Tab("Token inspector", inspectorScroll), new Tab("Experts per layer", gridInTab),
                new Tab("Balance per layer", balanceTable));
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.setMinHeight(0);
        // the text over the inspector, the divider for the user to give either more room
        SplitPane textAndInspector = new SplitPane(textScroll, tabs);
        textAndInspector.setOrientation(javafx.geometry.Orientation.VERTICAL);
        textAndInspector.setDividerPositions(0.3);
        VBox right = new VBox(4, textTitle, textLegend, textAndInspector);
        right.setPadding(new Insets(4));
        VBox.setVgrow(textAndInspector, Priority.ALWAYS);

        SplitPane split = new SplitPane(maps, right);
        split.setDividerPositions(0.5);
        setTop(bar);
        setCenter(split);

        // one selected token and one layer, shared by the text, the heatmaps and the inspector
        inspector.rowProperty().bind(selectedRow);
        inspector.layerIndexProperty().bindBidirectional(layerIndex);
        text.selectedRowProperty().bindBidirectional(selectedRow);
        tokenHeatmap.selectedRowProperty().bindBidirectional(selectedRow);
        loadHeatmap.selectedRowProperty().addListener((o, a, b) -> {
            if (b.intValue() >= 0) {
                layerIndex.set(b.intValue());
            }
        });
        balanceTable.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) {
                layerIndex.set(b.layerIndex());
            }
        });
        gridInTab.selectedLayerProperty().bindBidirectional(layerIndex);
        gridFollowing.selectedLayerProperty().bindBidirectional(layerIndex);
        gridFollowing.setId("expert-grid-following");
        gridInTab.setId("expert-grid-tab");
        textLegend.setId("text-legend");
        selectedRow.addListener(o -> refreshGrid());
        followBar.followProperty().addListener((o, was, on) -> follow(on));
        layerIndex.addListener(o -> refreshLayerViews());
        steps.addListener((ListChangeListener<StepResult>) c -> scheduleRebuild());
        rebuild();
    }

    /**
     * Follow mode on: the token map gets fixed-height rows (it grows a row per token and keeps the newest in view),
     * the newest token is selected at every step, and the expert grid takes the load heatmap's place. Off: as before.
     */
    private void follow(boolean on) {
        tokenHeatmap.fixedRowHeightProperty().set(on ? FOLLOW_ROW_HEIGHT : 0);
        if (on) {
            maps.getChildren().setAll(tokenTitle, tokenHeatmap, gridFollowing);
            // half the column at most: a model of many layers needs the room for its grid
            tokenHeatmap.maxHeightProperty().bind(maps.heightProperty().multiply(0.5));
            selectNewest();
        } else {
            maps.getChildren().setAll(tokenTitle, tokenHeatmap, loadTitle, loadHeatmap);
            tokenHeatmap.maxHeightProperty().unbind();
            tokenHeatmap.setMaxHeight(javafx.scene.layout.Region.USE_COMPUTED_SIZE);
        }
    }

    private void selectNewest() {
        if (!run.isEmpty()) {
            selectedRow.set(run.rows().size() - 1);
            scrollTextToSelection();
        }
    }

    /** Scrolls the coloured text so that the selected token is in view. */
    private void scrollTextToSelection() {
        Label label = text.labelOf(selectedRow.get());
        if (label == null) {
            return;
        }
        textScroll.applyCss();
        textScroll.layout();
        double content = text.getLayoutBounds().getHeight();
        double view = textScroll.getViewportBounds().getHeight();
        if (content <= view || view <= 0) {
            return;
        }
        javafx.geometry.Bounds b = label.getBoundsInParent();
        double target = (b.getMinY() + b.getMaxY()) / 2 - view / 2;
        textScroll.setVvalue(Math.max(0, Math.min(1, target / (content - view))));
    }

    /** The selected token's experts at every layer, in both grids and their legends. */
    private void refreshGrid() {
        String none = run.isEmpty() ? NO_ROUTING
                : "Select a token (or turn on Follow) to light the experts it was routed to at every layer.";
        gridInTab.show(run, selectedRow.get(), tokenText, none);
        gridFollowing.show(run, selectedRow.get(), tokenText, none);
    }

    /** Whether the views follow each new token. */
    public javafx.beans.property.BooleanProperty followProperty() {
        return followBar.followProperty();
    }

    /** The pace of Generate chosen in the view, in decode steps per second (0 = as fast as possible). */
    public ObjectProperty<Double> paceProperty() {
        return followBar.paceProperty();
    }

    /** The expert grid on screen: under the map while following, else the one in its tab. */
    public ExpertGrid expertGrid() {
        return (followBar.followProperty().get() ? gridFollowing : gridInTab).grid();
    }

    /** The legend beside the coloured text (top-1 experts at the layer). */
    public ExpertLegend textLegend() {
        return textLegend;
    }

    /** The legend beside the expert grid on screen (experts of the selected token). */
    public ExpertLegend gridLegend() {
        return (followBar.followProperty().get() ? gridFollowing : gridInTab).legend();
    }

    private ListCell<Integer> layerCell() {
        return new ListCell<>() {
            @Override
            protected void updateItem(Integer item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : "layer " + item);
            }
        };
    }

    /** The chosen MoE layer as an index into the run's MoE layers. */
    public IntegerProperty layerIndexProperty() {
        return layerIndex;
    }

    /** The selected token row (-1 none). */
    public IntegerProperty selectedRowProperty() {
        return selectedRow;
    }

    /** Model sizes for the inspector's tensor shapes; the app sets it when a model is loaded. */
    public ObjectProperty<ModelConfig> modelConfigProperty() {
        return inspector.modelConfigProperty();
    }

    /** Whether the model's experts are quantized (the token inspector then shows the Q8 stages of such steps). */
    public javafx.beans.property.BooleanProperty quantizedExpertsProperty() {
        return inspector.quantizedExpertsProperty();
    }

    public RoutingRun run() {
        return run;
    }

    public RoutingHeatmap tokenHeatmap() {
        return tokenHeatmap;
    }

    public RoutingHeatmap loadHeatmap() {
        return loadHeatmap;
    }

    public RoutedText routedText() {
        return text;
    }

    public TokenInspector inspector() {
        return inspector;
    }

    public LayerBalanceTable balanceTable() {
        return balanceTable;
    }

    public String balanceText() {
        return balance.getText();
    }

    /** The steps' routing records (null where not captured). */
    public List<StepRouting> routings() {
        List<StepRouting> out = new ArrayList<>();
        for (StepResult s : steps) {
            out.add(s.routing());
        }
        return out;
    }

    /** Writes the run's routing as CSV. */
    public void exportCsv(Path file) throws IOException {
        RoutingCsvExporter.write(routings(), tokenText, file);
    }

    private void scheduleRebuild() {
        if (!rebuildPending) {
            rebuildPending = true;
            Platform.runLater(this::rebuild);
        }
    }

    private void rebuild() {
        rebuildPending = false;
        run = new RoutingRun(routings());
        updatingChooser = true;
        List<Integer> layers = new ArrayList<>();
        for (int l : run.layers()) {
            layers.add(l);
        }
        layerChooser.getItems().setAll(layers);
        updatingChooser = false;
        if (layerIndex.get() >= layers.size()) {
            layerIndex.set(Math.max(0, layers.size() - 1));
        }
        if (selectedRow.get() >= run.rows().size()) {
            selectedRow.set(-1);
        }
        showProbs.setDisable(run.isEmpty() || run.probs(0, 0) == null);
        loadHeatmap.setData(run.layerLoadHeatmap());
        balanceTable.show(run);
        inspector.setRun(run, List.copyOf(steps));
        refreshLayerViews();
        if (followBar.followProperty().get()) {
            selectNewest();
        }
        refreshGrid();
    }

    private void refreshLayerViews() {
        int li = layerIndex.get();
        if (run.isEmpty() || li < 0 || li >= run.layers().length) {
            tokenTitle.setText("Token \u00d7 expert");
            textTitle.setText("Text coloured by each token's top-1 expert");
            balance.setText(NO_ROUTING);
            tokenHeatmap.setData(org.moescope.app.control.heatmap.HeatmapData.empty());
            text.show(run, -1, tokenText);
            textLegend.show("Top-1 experts (tokens)", java.util.Map.of(), run.experts());
            return;
        }
        int layer = run.layers()[li];
        updatingChooser = true;
        layerChooser.setValue(layer);
        updatingChooser = false;
        boolean probs = showProbs.isSelected() && !showProbs.isDisabled();
        tokenTitle.setText("Token \u00d7 expert at layer " + layer + ": " + (probs ? "router probability" : "routing weight")
                + " (click a row to inspect the token)");
        textTitle.setText("Text coloured by each token's top-1 expert at layer " + layer + " (click a token to inspect it)");
        RoutingStats s = run.stats(li);
        balance.setText(String.format(Locale.ROOT,
                "layer %d balance: max/mean %.2f \u00b7 CV %.2f \u00b7 entropy %.3f \u00b7 dead experts %d of %d \u00b7 %d assignments",
                layer, s.maxOverMean(), s.coefficientOfVariation(), s.normalisedEntropy(), s.deadExperts(), s.experts(),
                s.assignments()));
        tokenHeatmap.setData(run.tokenExpertHeatmap(li, tokenText, probs));
        loadHeatmap.selectedRowProperty().set(li);
        text.show(run, li, tokenText);
        textLegend.show("Top-1 experts at layer " + layer + " (tokens)", run.top1Counts(li), run.experts());
    }
}
