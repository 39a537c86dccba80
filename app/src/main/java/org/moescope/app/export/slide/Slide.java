package org.moescope.app.export.slide;

import java.util.List;
import java.util.Objects;
import javafx.scene.paint.Color;

/**
 * What a slide says around a view's picture: a title and a subtitle (model, prompt and phase, date), the axes in
 * words, and a legend (swatches, a colour bar, or both). Pure data, so that tests can check the text and the legend
 * without reading pixels; {@link SlideComposer} lays it out and {@link FlameSvgWriter} writes it as SVG.
 *
 * @param background the view's background, which the bands around it share
 * @param text       the colour of the bands' text on that background
 */
public record Slide(String title, String subtitle, List<String> axes, List<LegendEntry> legend, ColorBar colorBar,
                    Color background, Color text) {
    public Slide {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(subtitle, "subtitle");
        axes = List.copyOf(axes);
        legend = List.copyOf(legend);
        Objects.requireNonNull(background, "background");
        Objects.requireNonNull(text, "text");
    }

    /** Whether there is a legend to draw. */
    public boolean hasLegend() {
        return !legend.isEmpty() || colorBar != null;
    }
}
