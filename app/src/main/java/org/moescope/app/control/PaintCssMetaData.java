package org.moescope.app.control;

import java.util.function.Function;
import javafx.css.CssMetaData;
import javafx.css.StyleConverter;
import javafx.css.Styleable;
import javafx.css.StyleableObjectProperty;
import javafx.css.StyleableProperty;
import javafx.scene.paint.Paint;

/** The CSS metadata of a control's paint property (a colour or gradient its skin draws with). */
public final class PaintCssMetaData {
    private PaintCssMetaData() {
    }

    /** {@code name} (e.g. "-heatmap-text-fill") styles the property {@code property} returns; settable unless bound. */
    public static <C extends Styleable> CssMetaData<C, Paint> of(String name, Paint initial,
                                                                 Function<C, StyleableObjectProperty<Paint>> property) {
        return new CssMetaData<>(name, StyleConverter.getPaintConverter(), initial) {
            @Override
            public boolean isSettable(C c) {
                return !property.apply(c).isBound();
            }

            @Override
            public StyleableProperty<Paint> getStyleableProperty(C c) {
                return property.apply(c);
            }
        };
    }
}
