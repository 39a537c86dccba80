package org.moescope.app.control.flame;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.engine.profile.StageSpan;

/**
 * The flame chart's legend: a swatch per stage present in the chart (MoE stages first, then attention, then the
 * model's own), coloured from the chart's CSS palette, followed by the parent rows' colours.
 */
public class FlameLegend extends FlowPane {

    private final FlameChart chart;

    public FlameLegend(FlameChart chart) {
        this.chart = chart;
        getStyleClass().add("flame-legend");
        setHgap(12);
        setVgap(4);
        setPadding(new Insets(4, 8, 4, 8));
        chart.layoutProperty().addListener(o -> rebuild());
        chart.highlightedStageProperty().addListener(o -> rebuild());
        chart.stageColors().addListener((javafx.collections.MapChangeListener<String, javafx.scene.paint.Paint>) c -> rebuild());
        rebuild();
    }

    /** Keys shown, in legend order. */
    public List<String> keys() {
        return keys(chart.getLayout());
    }

    /** The keys a legend of {@code layout} shows, in order (also the slide export's legend). */
    public static List<String> keys(FlameLayout layout) {
        Set<String> stages = new LinkedHashSet<>();
        for (String k : StagePalette.KEYS) {
            if (StagePalette.isMoeStage(k)) {
                stages.add(k);
            }
        }
        for (String k : StagePalette.KEYS) {
            stages.add(k);
        }
        Set<String> present = new LinkedHashSet<>();
        Set<String> blocks = new LinkedHashSet<>();
        for (StageSpan s : layout.spans()) {
            present.add(s.stage());
            blocks.add(s.block());
        }
        List<String> out = new java.util.ArrayList<>();
        for (String k : stages) {
            if (present.contains(k)) {
                out.add(k);
            }
        }
        present.stream().filter(k -> !StagePalette.KEYS.contains(k)).sorted().forEach(out::add);
        blocks.stream().filter(b -> !present.contains(b)).forEach(out::add);
        return out;
    }

    private void rebuild() {
        getChildren().clear();
        for (String key : keys()) {
            Region swatch = new Region();
            swatch.getStyleClass().add("legend-swatch");
            swatch.setMinSize(12, 12);
            swatch.setMaxSize(12, 12);
            swatch.setBackground(new Background(new BackgroundFill(chart.colorFor(key), null, null)));
            Label item = new Label(key, swatch);
            item.getStyleClass().add("legend-item");
            boolean picked = key.equals(chart.highlightedStageProperty().get());
            item.setStyle(picked ? "-fx-font-weight: bold; -fx-underline: true;" : "");
            item.setCursor(javafx.scene.Cursor.HAND);
            item.setTooltip(GlossaryTooltips.of(GlossaryTooltips.join(Glossary.anyName(key),
                    "Click to pick out " + key + " in the chart; click again to show all")));
            item.setOnMouseClicked(e -> chart.highlightedStageProperty().set(picked ? null : key));
            getChildren().add(item);
        }
    }
}
