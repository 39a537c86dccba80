package org.moescope.app.control.flame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.moescope.app.control.PaintCssMetaData;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableMap;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableDoubleProperty;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.StyleConverter;
import javafx.css.Styleable;
import javafx.css.StyleableDoubleProperty;
import javafx.css.StyleableObjectProperty;
import javafx.css.StyleableProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import org.moescope.engine.profile.StageSpan;

/**
 * A flame chart of profiler spans: time on x, rows step → layer → block → stage, drawn on one Canvas by
 * {@link FlameChartSkin}. Navigation: Ctrl+wheel or W/S zoom about the cursor, wheel or drag or A/D pan, F fits
 * (the selection if any, else the run), Esc clears the selection; shift+drag selects a time range; click selects a
 * box; double-click zooms to it. Colours are CSS: a looked-up colour per {@link StagePalette#KEYS} entry
 * ({@code -flame-router}, {@code -flame-gate_up_silu}, ...; other stage names take a default palette slot), and
 * {@code -flame-background}, {@code -flame-text-fill}, {@code -flame-selection-fill}, {@code -flame-grid-color},
 * {@code -flame-row-height}.
 */
public class FlameChart extends Control {

    private final ObjectProperty<FlameLayout> layout = new SimpleObjectProperty<>(this, "layout", FlameLayout.empty());
    private final ObjectProperty<TimeWindow> window = new SimpleObjectProperty<>(this, "window", TimeWindow.fit(0));
    private final ObjectProperty<TimeRange> selection = new SimpleObjectProperty<>(this, "selection");
    private final ObjectProperty<FlameBox> selectedBox = new SimpleObjectProperty<>(this, "selectedBox");
    private final ObjectProperty<String> highlightedStage = new SimpleObjectProperty<>(this, "highlightedStage");
    private final ObjectProperty<java.util.function.Function<StageSpan, String>> stageDetail =
            new SimpleObjectProperty<>(this, "stageDetail");

    public FlameChart() {
        getStyleClass().add("flame-chart");
        setFocusTraversable(true);
        layout.addListener((obs, old, now) -> {
            Objects.requireNonNull(now, "layout");
            // a new run (reset, another model) or another time axis: start over; a growing run (live decode) keeps
            // the user's view unless it showed the whole run, which then follows the growth
            boolean replaced = old == null || old.isEmpty() || now.isEmpty() || now.originNanos() != old.originNanos()
                    || now.spans().size() < old.spans().size() || now.gapsHidden() != old.gapsHidden();
            boolean wasFit = !replaced && getWindow().startNanos() <= 0 && getWindow().endNanos() >= old.durationNanos();
            if (replaced) {
                selection.set(null);
            }
            if (now.isEmpty()) {
                // nothing left to pick out (Reset, another model)
                highlightedStage.set(null);
            }
            if (replaced || wasFit) {
                fit();
            }
            selectedBox.set(null);
        });
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new FlameChartSkin(this);
    }

    @Override
    public String getUserAgentStylesheet() {
        return Objects.requireNonNull(FlameChart.class.getResource("flame-chart.css")).toExternalForm();
    }

    public ObjectProperty<FlameLayout> layoutProperty() {
        return layout;
    }

    public FlameLayout getLayout() {
        return layout.get();
    }

    public void setLayout(FlameLayout value) {
        layout.set(value);
    }

    /** The visible time range. */
    public ObjectProperty<TimeWindow> windowProperty() {
        return window;
    }

    public TimeWindow getWindow() {
        return window.get();
    }

    /** The selected time range (shift+drag or a clicked box), or null: the stage table follows it. */
    public ObjectProperty<TimeRange> selectionProperty() {
        return selection;
    }

    public TimeRange getSelection() {
        return selection.get();
    }

    /** The clicked box, or null. */
    public ObjectProperty<FlameBox> selectedBoxProperty() {
        return selectedBox;
    }

    /**
     * A stage name to pick out (e.g. "gate_up_silu"): its boxes are drawn at full strength, even where sub-pixel,
     * and every other stage is dimmed; null shows all alike.
     */
    public ObjectProperty<String> highlightedStageProperty() {
        return highlightedStage;
    }

    /**
     * An extra tooltip line for a stage box (e.g. the weight bytes it read), from its span; null, or a null line,
     * adds nothing.
     */
    public ObjectProperty<java.util.function.Function<StageSpan, String>> stageDetailProperty() {
        return stageDetail;
    }

    /** Shows the whole run. */
    public void fit() {
        window.set(TimeWindow.fit(getLayout().durationNanos()));
    }

    /** Shows the selection if there is one, else the whole run. */
    public void fitSelectionOrAll() {
        TimeRange s = getSelection();
        if (s != null && s.spanNanos() > 0) {
            double margin = s.spanNanos() * 0.05;
            window.set(TimeWindow.around(s.startNanos() - margin, s.endNanos() + margin, getLayout().durationNanos()));
        } else {
            fit();
        }
    }

    /** Zooms by {@code factor} (&gt; 1 in) keeping the time under pixel {@code x} of a chart {@code width} wide fixed. */
    public void zoomAt(double x, double width, double factor) {
        TimeWindow w = getWindow();
        window.set(w.zoom(w.toTime(x, width), factor, getLayout().durationNanos()));
    }

    /** Pans by {@code dx} pixels of a chart {@code width} wide (positive: later). */
    public void panPixels(double dx, double width) {
        TimeWindow w = getWindow();
        window.set(w.pan(dx / width * w.spanNanos(), getLayout().durationNanos()));
    }

    /** Clears the selection; when nothing is selected, clears the highlighted stage (so Esc twice shows all). */
    public void clearSelection() {
        if (selection.get() == null && selectedBox.get() == null) {
            highlightedStage.set(null);
        }
        selection.set(null);
        selectedBox.set(null);
    }

    /** Selects a box and its time range. */
    public void select(FlameBox box) {
        selectedBox.set(box);
        selection.set(box == null ? null
                : new TimeRange(getLayout().start(box.depth(), box.index()), getLayout().end(box.depth(), box.index())));
    }

    /**
     * The colour of a layout colour key: the looked-up CSS colour {@code -flame-KEY} for known keys (filled in by the
     * skin once CSS is applied), else the default palette slot of the key.
     */
    public Paint colorFor(String key) {
        Paint css = stageColors.get(key);
        return css != null ? css : DEFAULT_STAGE_COLORS.get(StagePalette.slot(key, DEFAULT_STAGE_COLORS.size()));
    }

    /** Colours resolved from CSS per key ({@code -flame-router: #e6550d;} on {@code .flame-chart}). */
    public ObservableMap<String, Paint> stageColors() {
        return stageColors;
    }

    // ---- CSS ----

    private static final List<Paint> DEFAULT_STAGE_COLORS =
            StagePalette.DEFAULT_COLORS.stream().map(c -> (Paint) Color.web(c)).toList();

    private final ObservableMap<String, Paint> stageColors = FXCollections.observableHashMap();
    private final StyleableObjectProperty<Paint> background = new SimpleStyleableObjectProperty<>(
            StyleableProperties.BACKGROUND, this, "flameBackground", Color.WHITE);
    private final StyleableObjectProperty<Paint> textFill = new SimpleStyleableObjectProperty<>(
            StyleableProperties.TEXT_FILL, this, "flameTextFill", Color.BLACK);
    private final StyleableObjectProperty<Paint> selectionFill = new SimpleStyleableObjectProperty<>(
            StyleableProperties.SELECTION_FILL, this, "flameSelectionFill", Color.rgb(30, 120, 220, 0.18));
    private final StyleableObjectProperty<Paint> gridColor = new SimpleStyleableObjectProperty<>(
            StyleableProperties.GRID_COLOR, this, "flameGridColor", Color.gray(0.85));
    private final StyleableDoubleProperty rowHeight = new SimpleStyleableDoubleProperty(
            StyleableProperties.ROW_HEIGHT, this, "flameRowHeight", 20.0);

    public StyleableObjectProperty<Paint> flameBackgroundProperty() {
        return background;
    }

    public StyleableObjectProperty<Paint> flameTextFillProperty() {
        return textFill;
    }

    public StyleableObjectProperty<Paint> flameSelectionFillProperty() {
        return selectionFill;
    }

    public StyleableObjectProperty<Paint> flameGridColorProperty() {
        return gridColor;
    }

    public StyleableDoubleProperty flameRowHeightProperty() {
        return rowHeight;
    }

    private static final class StyleableProperties {
        static final CssMetaData<FlameChart, Paint> BACKGROUND = PaintCssMetaData.of("-flame-background", Color.WHITE, c -> c.background);
        static final CssMetaData<FlameChart, Paint> TEXT_FILL = PaintCssMetaData.of("-flame-text-fill", Color.BLACK, c -> c.textFill);
        static final CssMetaData<FlameChart, Paint> SELECTION_FILL =
                PaintCssMetaData.of("-flame-selection-fill", Color.rgb(30, 120, 220, 0.18), c -> c.selectionFill);
        static final CssMetaData<FlameChart, Paint> GRID_COLOR = PaintCssMetaData.of("-flame-grid-color", Color.gray(0.85), c -> c.gridColor);
        static final CssMetaData<FlameChart, Number> ROW_HEIGHT = new CssMetaData<>("-flame-row-height",
                StyleConverter.getSizeConverter(), 20.0) {
            @Override
            public boolean isSettable(FlameChart c) {
                return !c.rowHeight.isBound();
            }

            @Override
            public StyleableProperty<Number> getStyleableProperty(FlameChart c) {
                return c.rowHeight;
            }
        };
        static final List<CssMetaData<? extends Styleable, ?>> ALL;

        static {
            List<CssMetaData<? extends Styleable, ?>> all = new ArrayList<>(Control.getClassCssMetaData());
            Collections.addAll(all, BACKGROUND, TEXT_FILL, SELECTION_FILL, GRID_COLOR, ROW_HEIGHT);
            ALL = Collections.unmodifiableList(all);
        }
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
        return StyleableProperties.ALL;
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() {
        return getClassCssMetaData();
    }
}
