package org.moescope.app.view;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.FlameLegend;
import org.moescope.app.control.flame.FlameText;
import org.moescope.app.control.flame.TimeRange;
import org.moescope.app.export.ChromeTraceExporter;
import org.moescope.app.metrics.StageBytes;
import org.moescope.app.view.timeline.StageSummary;
import org.moescope.app.view.timeline.StageTable;
import org.moescope.app.view.timeline.TimelineBuilder;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;

/**
 * The time view: a flame chart of every profiled step (step → layer → block → stage), its legend, and the stage
 * table, which follows the chart's selection (a clicked box or a shift-dragged range) or shows the whole run.
 * Follows {@code steps} as the run grows; appends arriving together cause one relayout, which a long run gets built
 * in the background ({@link TimelineBuilder}).
 */
public class TimelinePane extends BorderPane {

    private final ObservableList<StepResult> steps;
    private final FlameChart chart = new FlameChart();
    private final FlameLegend legend = new FlameLegend(chart);
    private final StageTable table = new StageTable(chart);
    private final CheckBox hideGaps = new CheckBox("Hide gaps between steps");
    private final TimelineBuilder builder = new TimelineBuilder(this::show);
    private StageSummary wholeRun = StageSummary.of(List.of());
    private boolean rebuildPending;
    /** The loaded model's shape and weight types, for the bytes each MoE stage read (tooltips, stage table). */
    private final javafx.beans.property.ObjectProperty<StageBytes> modelBytes =
            new javafx.beans.property.SimpleObjectProperty<>(this, "modelBytes", StageBytes.UNKNOWN);

    public TimelinePane(ObservableList<StepResult> steps) {
        this.steps = steps;
        getStyleClass().add("timeline-pane");

        Button fit = new Button("Fit");
        fit.setTooltip(new Tooltip("Show the selection, or the whole run (F)"));
        fit.setOnAction(e -> chart.fitSelectionOrAll());
        Button zoomIn = new Button("+");
        zoomIn.setTooltip(new Tooltip("Zoom in (W or Ctrl+wheel)"));
        zoomIn.setOnAction(e -> chart.zoomAt(chart.getWidth() / 2, chart.getWidth(), 1.5));
        Button zoomOut = new Button("\u2212");
        zoomOut.setTooltip(new Tooltip("Zoom out (S or Ctrl+wheel)"));
        zoomOut.setOnAction(e -> chart.zoomAt(chart.getWidth() / 2, chart.getWidth(), 1 / 1.5));
        Button clear = new Button("Clear selection");
        clear.setTooltip(new Tooltip("Esc"));
        clear.setOnAction(e -> chart.clearSelection());
        clear.disableProperty().bind(chart.selectionProperty().isNull());
        hideGaps.setSelected(true);
        hideGaps.setMinWidth(Region.USE_PREF_SIZE);
        hideGaps.setTooltip(new Tooltip("Squeeze the idle time between steps (host work, waiting for the next Step click)"
                + " so the chart shows device work; times on the axis then leave that idle time out"));
        hideGaps.selectedProperty().addListener(o -> rebuild());
        Label hint = new Label("Ctrl+wheel or W/S zoom \u00b7 drag, wheel or A/D pan \u00b7 click selects \u00b7 "
                + "shift+drag selects a range \u00b7 double-click zooms in \u00b7 F fits \u00b7 Esc clears \u00b7 "
                + "click a legend entry or table row to pick a stage out");
        hint.getStyleClass().add("hint");
        // a narrow window wraps the hint onto a second line rather than cutting it
        hint.setWrapText(true);
        hint.setTextAlignment(javafx.scene.text.TextAlignment.RIGHT);
        hint.setAlignment(javafx.geometry.Pos.CENTER_RIGHT);
        hint.setMinWidth(0);
        hint.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(hint, Priority.ALWAYS);
        for (Button b : List.of(fit, zoomIn, zoomOut, clear)) {
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox bar = new HBox(6, fit, zoomIn, zoomOut, clear, hideGaps, hint);
        bar.setPadding(new Insets(4, 8, 4, 8));
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        // the chart has four fixed-height rows; the table takes the rest of the height
        setTop(new VBox(bar, chart, legend));
        setCenter(table);

        chart.selectionProperty().addListener(o -> updateTable());
        chart.selectedBoxProperty().addListener(o -> updateTable());
        steps.addListener((ListChangeListener<StepResult>) c -> scheduleRebuild());
        modelBytes.addListener(o -> scheduleRebuild());
        rebuild();
    }

    /** The loaded model's {@link StageBytes} ({@link StageBytes#UNKNOWN} when none). */
    public javafx.beans.property.ObjectProperty<StageBytes> modelBytesProperty() {
        return modelBytes;
    }

    public FlameChart flameChart() {
        return chart;
    }

    public StageTable stageTable() {
        return table;
    }

    /** Whether idle time between steps is squeezed out of the chart (on by default). */
    public CheckBox hideGapsToggle() {
        return hideGaps;
    }

    public FlameLegend legend() {
        return legend;
    }

    /** Every profiled span of the run, in step order. */
    public List<StageSpan> spans() {
        return TimelineBuilder.spansOf(steps);
    }

    /** Writes the run as Chrome Trace Event JSON (opens in Perfetto). */
    public void exportTrace(Path file) throws IOException {
        ChromeTraceExporter.write(spans(), file);
    }

    private void scheduleRebuild() {
        if (!rebuildPending) {
            rebuildPending = true;
            Platform.runLater(this::rebuild);
        }
    }

    private void rebuild() {
        rebuildPending = false;
        StageBytes model = modelBytes.get() == null ? StageBytes.UNKNOWN : modelBytes.get();
        builder.build(List.copyOf(steps), hideGaps.isSelected(), model);
    }

    /** Whether the chart and table show the run as it is now (a long run's layout is built in the background). */
    public boolean isCurrent() {
        return builder.isCurrent();
    }

    private void show(TimelineBuilder.Timeline timeline) {
        wholeRun = timeline.wholeRun();
        table.setStageBytes(timeline.bytes());
        chart.stageDetailProperty().set(timeline.bytes()::describe);
        chart.setLayout(timeline.layout());
        updateTable();
    }

    private void updateTable() {
        FlameLayout layout = chart.getLayout();
        FlameBox box = chart.selectedBoxProperty().get();
        TimeRange range = chart.getSelection();
        if (box != null && box.index() < layout.count(box.depth())) {
            table.show(layout.spansOf(box.depth(), box.index()), "Selected " + layout.label(box.depth(), box.index()));
        } else if (range != null) {
            table.show(layout.spansIn(range.startNanos(), range.endNanos()),
                    "Selected range (" + FlameText.duration(range.spanNanos()) + ", overlapping spans)");
        } else {
            table.show(wholeRun, "Whole run");
        }
    }
}
