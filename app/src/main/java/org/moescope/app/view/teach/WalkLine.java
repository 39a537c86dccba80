package org.moescope.app.view.teach;

import java.util.List;

/** A line of a walk phase: cells shown side by side (a vector with its shape and norm, a table row, a sentence). */
public record WalkLine(List<WalkCell> cells) {
    public WalkLine {
        cells = List.copyOf(cells);
    }

    public static WalkLine of(WalkCell... cells) {
        return new WalkLine(List.of(cells));
    }

    /** The line as plain text, cells separated by spaces. */
    public String text() {
        StringBuilder b = new StringBuilder();
        for (WalkCell c : cells) {
            b.append(b.isEmpty() ? "" : " ").append(c.text());
        }
        return b.toString();
    }
}
