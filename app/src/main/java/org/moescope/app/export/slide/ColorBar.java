package org.moescope.app.export.slide;

import java.util.List;
import java.util.Objects;
import javafx.scene.paint.Color;

/**
 * A continuous colour legend: {@code colors} run from the colour of {@code low} to that of {@code high}, for the
 * values named {@code valueName} (a heatmap's colour scale).
 */
public record ColorBar(List<Color> colors, String low, String high, String valueName) {
    public ColorBar {
        colors = List.copyOf(colors);
        if (colors.size() < 2) {
            throw new IllegalArgumentException("a colour bar needs at least two colours, got " + colors.size());
        }
        Objects.requireNonNull(low, "low");
        Objects.requireNonNull(high, "high");
        Objects.requireNonNull(valueName, "valueName");
    }
}
