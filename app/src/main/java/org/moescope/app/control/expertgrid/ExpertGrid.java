package org.moescope.app.control.expertgrid;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.moescope.app.control.PaintCssMetaData;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.css.CssMetaData;
import javafx.css.SimpleStyleableObjectProperty;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;

/**
 * One small grid of expert cells per MoE layer (16 cells as 4 × 4 for the sample model, 128 as 16 × 8 for
 * Qwen3-30B-A3B), lighting the experts one token was routed to: each lit cell in its expert's
 * {@link org.moescope.app.control.ExpertPalette} colour, more opaque the larger its routing weight. Drawn on one
 * Canvas by {@link ExpertGridSkin}; hover tells the cell's layer, expert and weight; a click selects the layer.
 * Colours are CSS: {@code -grid-cell-fill} (an unlit cell), {@code -grid-text-fill}, {@code -grid-selection-stroke}.
 */
public class ExpertGrid extends Control {

    private final ObjectProperty<ExpertGridData> data = new SimpleObjectProperty<>(this, "data", ExpertGridData.EMPTY);
    private final IntegerProperty selectedLayer = new SimpleIntegerProperty(this, "selectedLayer", -1);
    private final StringProperty placeholder = new SimpleStringProperty(this, "placeholder", "");

    public ExpertGrid() {
        getStyleClass().add("expert-grid");
        data.addListener((o, old, now) -> Objects.requireNonNull(now, "data"));
    }

    @Override
    protected Skin<?> createDefaultSkin() {
        return new ExpertGridSkin(this);
    }

    @Override
    public String getUserAgentStylesheet() {
        return Objects.requireNonNull(ExpertGrid.class.getResource("expert-grid.css")).toExternalForm();
    }

    public ObjectProperty<ExpertGridData> dataProperty() {
        return data;
    }

    public ExpertGridData getData() {
        return data.get();
    }

    public void setData(ExpertGridData value) {
        data.set(value);
    }

    /** The selected layer block (an index into the data's layers), -1 for none. */
    public IntegerProperty selectedLayerProperty() {
        return selectedLayer;
    }

    /** The line drawn in place of an empty grid. */
    public StringProperty placeholderProperty() {
        return placeholder;
    }

    // ---- CSS ----

    private final StyleableObjectProperty<Paint> cellFill =
            new SimpleStyleableObjectProperty<>(Css.CELL_FILL, this, "gridCellFill", Color.web("#eceff1"));
    private final StyleableObjectProperty<Paint> textFill =
            new SimpleStyleableObjectProperty<>(Css.TEXT_FILL, this, "gridTextFill", Color.BLACK);
    private final StyleableObjectProperty<Paint> selectionStroke =
            new SimpleStyleableObjectProperty<>(Css.SELECTION_STROKE, this, "gridSelectionStroke", Color.RED);

    public StyleableObjectProperty<Paint> gridCellFillProperty() {
        return cellFill;
    }

    public StyleableObjectProperty<Paint> gridTextFillProperty() {
        return textFill;
    }

    public StyleableObjectProperty<Paint> gridSelectionStrokeProperty() {
        return selectionStroke;
    }

    private static final class Css {
        static final CssMetaData<ExpertGrid, Paint> CELL_FILL = PaintCssMetaData.of("-grid-cell-fill", Color.web("#eceff1"), c -> c.cellFill);
        static final CssMetaData<ExpertGrid, Paint> TEXT_FILL = PaintCssMetaData.of("-grid-text-fill", Color.BLACK, c -> c.textFill);
        static final CssMetaData<ExpertGrid, Paint> SELECTION_STROKE = PaintCssMetaData.of("-grid-selection-stroke", Color.RED, c -> c.selectionStroke);
        static final List<CssMetaData<? extends Styleable, ?>> ALL;

        static {
            List<CssMetaData<? extends Styleable, ?>> all = new ArrayList<>(Control.getClassCssMetaData());
            Collections.addAll(all, CELL_FILL, TEXT_FILL, SELECTION_STROKE);
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
