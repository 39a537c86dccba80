package org.moescope.app.glossary;

import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** Tooltips that carry glossary entries: wrapped to a readable width, shown after a short hover. */
public final class GlossaryTooltips {

    /** Wide enough for two sentences on three or four lines. */
    private static final double MAX_WIDTH = 440;

    private GlossaryTooltips() {
    }

    /** A tooltip of {@code text}, or null when there is none (a name without an entry). */
    public static Tooltip of(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Tooltip t = new Tooltip(text);
        t.setWrapText(true);
        t.setMaxWidth(MAX_WIDTH);
        t.setShowDelay(Duration.millis(300));
        t.setShowDuration(Duration.seconds(30));
        t.getStyleClass().add("glossary-tooltip");
        return t;
    }

    /**
     * Puts {@code title} in the column's header as a label with {@code tip} as its tooltip (a header has no tooltip
     * of its own); the column's text becomes null.
     */
    public static void header(javafx.scene.control.TableColumn<?, ?> column, String title, String tip) {
        javafx.scene.control.Label label = new javafx.scene.control.Label(title);
        label.setTooltip(of(tip));
        column.setText(null);
        column.setGraphic(label);
    }

    /** {@code entry}, then {@code extra} on a new paragraph; either may be null. */
    public static String join(String entry, String extra) {
        if (entry == null) {
            return extra;
        }
        return extra == null || extra.isBlank() ? entry : entry + "\n\n" + extra;
    }
}
