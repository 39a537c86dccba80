package org.moescope.app.control.heatmap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.moescope.app.control.PaintCssMetaData;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;
import javafx.scene.paint.Color;
import javafx.scene.paint.CycleMethod;
import javafx.scene.paint.LinearGradient;
import javafx.scene.paint.Paint;
import javafx.scene.paint.Stop;

/**
 * A heatmap of a {@link HeatmapData} matrix (token × expert routing weights, layer × expert loads), drawn on one
 * Canvas by {@link RoutingHeatmapSkin} with row and column labels, axis names and a colour bar. Hover shows the
 * cell's description; click selects a cell (its row and column). Colours are CSS: {@code -heatmap-scale} (a
 * linear gradient from the colour of 0 to the colour of the largest value), {@code -heatmap-background},
 * {@code -heatmap-text-fill}, {@code -heatmap-selection-stroke}.
 */
public class RoutingHeatmap extends Control {

    private final ObjectProperty<HeatmapData> data = new SimpleObjectProperty<>(this, "data", HeatmapData.empty());
    private final IntegerProperty selectedRow = new SimpleIntegerProperty(this, "selectedRow", -1);
    private final IntegerProperty selectedColumn = new SimpleIntegerProperty(this, "selectedColumn", -1);
    private final javafx.beans.property.StringProperty placeholder = new javafx.beans.property.SimpleStringProperty(
            this, "placeholder", "No routing yet: press Prefill, Step or Generate.");

    private final javafx.beans.property.DoubleProperty fixedRowHeight =
            new javafx.beans.property.SimpleDoubleProperty(this, "fixedRowHeight", 0);

    public RoutingHeatmap() {
        getStyleClass().add("routing-heatmap");
        data.addListener((o, old, now) -> Objects.requireNonNull(now, "data"));
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new RoutingHeatmapSkin(this);
    }

    @Override
    public String getUserAgentStylesheet() {
        return Objects.requireNonNull(RoutingHeatmap.class.getResource("routing-heatmap.css")).toExternalForm();
    }

    public ObjectProperty<HeatmapData> dataProperty() {
        return data;
    }

    public HeatmapData getData() {
        return data.get();
    }

    public void setData(HeatmapData value) {
        data.set(value);
    }

    /** The line drawn in place of an empty matrix. */
    public javafx.beans.property.StringProperty placeholderProperty() {
        return placeholder;
    }

    public String getPlaceholder() {
        return placeholder.get();
    }

    /**
     * 0 (the default): every row shares the plot's height. Above 0: each row is this many pixels tall, so a growing
     * matrix grows downwards, and once the rows no longer fit the plot shows a window of them that keeps the
     * selected row (the last row when none is selected) in view.
     */
    public javafx.beans.property.DoubleProperty fixedRowHeightProperty() {
        return fixedRowHeight;
    }

    /** Selected row, -1 for none. */
    public IntegerProperty selectedRowProperty() {
        return selectedRow;
    }

    /** Selected column, -1 for none. */
    public IntegerProperty selectedColumnProperty() {
        return selectedColumn;
    }

    /**
     * The colour scale from CSS: {@code -heatmap-scale} is a linear gradient whose stops run from 0 to the largest
     * value (sampled at 17 even points); a plain colour gives a scale from white to that colour.
     */
    public ColorScale colorScale() {
        Paint p = scale.get();
        if (p instanceof LinearGradient g && g.getStops().size() >= 2) {
            int n = 17;
            int[] argb = new int[n];
            for (int i = 0; i < n; i++) {
                argb[i] = argb(colorAt(g.getStops(), i / (double) (n - 1)));
            }
            return new ColorScale(argb);
        } else if (p instanceof Color c) {
            return new ColorScale(0xffffffff, argb(c));
        }
        return ColorScale.viridis();
    }

    private static Color colorAt(List<Stop> stops, double t) {
        Stop prev = stops.get(0);
        if (t <= prev.getOffset()) {
            return prev.getColor();
        }
        for (Stop s : stops) {
            if (t <= s.getOffset()) {
                double span = s.getOffset() - prev.getOffset();
                return prev.getColor().interpolate(s.getColor(), span > 0 ? (t - prev.getOffset()) / span : 1);
            }
            prev = s;
        }
        return prev.getColor();
    }

    private static int argb(Color c) {
        return (int) Math.round(c.getOpacity() * 255) << 24 | (int) Math.round(c.getRed() * 255) << 16
                | (int) Math.round(c.getGreen() * 255) << 8 | (int) Math.round(c.getBlue() * 255);
    }

    /** The colour a cell value is drawn with under the current scale (value / data max). */
    public Color cellColor(double value) {
        int argb = colorScale().argb(value, getData().max());
        return Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff, ((argb >>> 24) & 0xff) / 255.0);
    }

    // ---- CSS ----

    private static final Paint VIRIDIS = viridisGradient();

    private static Paint viridisGradient() {
        int[] argb = ColorScale.viridis().stops();
        List<Stop> stops = new ArrayList<>();
        for (int i = 0; i < argb.length; i++) {
            stops.add(new Stop(i / (double) (argb.length - 1),
                    Color.rgb((argb[i] >>> 16) & 0xff, (argb[i] >>> 8) & 0xff, argb[i] & 0xff)));
        }
        return new LinearGradient(0, 0, 1, 0, true, CycleMethod.NO_CYCLE, stops);
    }

    private final StyleableObjectProperty<Paint> scale =
            new SimpleStyleableObjectProperty<>(Css.SCALE, this, "heatmapScale", VIRIDIS);
    private final StyleableObjectProperty<Paint> background =
            new SimpleStyleableObjectProperty<>(Css.BACKGROUND, this, "heatmapBackground", Color.WHITE);
    private final StyleableObjectProperty<Paint> textFill =
            new SimpleStyleableObjectProperty<>(Css.TEXT_FILL, this, "heatmapTextFill", Color.BLACK);
    private final StyleableObjectProperty<Paint> selectionStroke =
            new SimpleStyleableObjectProperty<>(Css.SELECTION_STROKE, this, "heatmapSelectionStroke", Color.RED);

    public StyleableObjectProperty<Paint> heatmapScaleProperty() {
        return scale;
    }

    public StyleableObjectProperty<Paint> heatmapBackgroundProperty() {
        return background;
    }

    public StyleableObjectProperty<Paint> heatmapTextFillProperty() {
        return textFill;
    }

    public StyleableObjectProperty<Paint> heatmapSelectionStrokeProperty() {
        return selectionStroke;
    }

    private static final class Css {
        static final CssMetaData<RoutingHeatmap, Paint> SCALE = PaintCssMetaData.of("-heatmap-scale", VIRIDIS, c -> c.scale);
        static final CssMetaData<RoutingHeatmap, Paint> BACKGROUND = PaintCssMetaData.of("-heatmap-background", Color.WHITE, c -> c.background);
        static final CssMetaData<RoutingHeatmap, Paint> TEXT_FILL = PaintCssMetaData.of("-heatmap-text-fill", Color.BLACK, c -> c.textFill);
        static final CssMetaData<RoutingHeatmap, Paint> SELECTION_STROKE = PaintCssMetaData.of("-heatmap-selection-stroke", Color.RED, c -> c.selectionStroke);
        static final List<CssMetaData<? extends Styleable, ?>> ALL;

        static {
            List<CssMetaData<? extends Styleable, ?>> all = new ArrayList<>(Control.getClassCssMetaData());
            Collections.addAll(all, SCALE, BACKGROUND, TEXT_FILL, SELECTION_STROKE);
            ALL = Collections.unmodifiableList(all);
        }
    }

    public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
        return Css.ALL;
    }

    @Override
    public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() {
        return getClassCssMetaData();
    }
}
