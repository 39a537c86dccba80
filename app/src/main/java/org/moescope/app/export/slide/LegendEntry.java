package org.moescope.app.export.slide;

import java.util.Objects;
import javafx.scene.paint.Color;

/** One swatch of a legend: a colour and what it stands for (a stage, an expert, a phase). */
public record LegendEntry(Color color, String label) {
    public LegendEntry {
        Objects.requireNonNull(color, "color");
        Objects.requireNonNull(label, "label");
    }
}
