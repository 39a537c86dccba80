package org.moescope.app.view.teach;

import java.util.List;

/**
 * A line of a walk phase: cells shown side by side (a table row, a sentence), or a vector
 * ({@link NumberText#vector}: formula, shape, elements, norm) that the view lays out over two rows.
 */
public record WalkLine(List<WalkCell> cells, boolean vector) {
    public WalkLine {
        cells = List.copyOf(cells);
    }

    public WalkLine(List<WalkCell> cells) {
        this(cells, false);
    }

    public static WalkLine of(WalkCell... cells) {
        return new WalkLine(List.of(cells));
    }

    /** The cells of {@link NumberText#vector}. */
    public static WalkLine vector(List<WalkCell> cells) {
        return new WalkLine(cells, true);
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
