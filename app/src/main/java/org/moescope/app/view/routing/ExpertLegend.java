package org.moescope.app.view.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.Border;
import javafx.scene.layout.BorderStroke;
import javafx.scene.layout.BorderStrokeStyle;
import javafx.scene.layout.BorderWidths;
import javafx.scene.layout.CornerRadii;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import org.moescope.app.control.ExpertPalette;

/**
 * The key to expert colours beside a view that colours experts: one entry per expert that appears, busiest first,
 * each a swatch of its {@link ExpertPalette} colour with the expert's number and how often it appears ("5 ×12").
 * When the model has more experts than colours, a note says that the number tells experts of one colour apart.
 */
public class ExpertLegend extends FlowPane {
    /** Entries shown at most; the rest are counted in a last "+N more". */
    static final int MAX_ENTRIES = 32;
    private static final Border SWATCH_BORDER = new Border(new BorderStroke(Color.gray(0.5),
            BorderStrokeStyle.SOLID, new CornerRadii(2), new BorderWidths(1)));

    private final Label title = new Label();
    private final Label note = new Label();
    private final List<Integer> shown = new ArrayList<>();

    public ExpertLegend() {
        super(8, 2);
        getStyleClass().add("expert-legend");
        setPadding(new Insets(2, 0, 2, 0));
        setAlignment(Pos.CENTER_LEFT);
        title.getStyleClass().add("expert-legend-title");
        note.getStyleClass().add("expert-legend-note");
        note.setStyle("-fx-font-style: italic; -fx-opacity: 0.8;");
    }

    /**
     * Shows the experts of {@code counts} (expert → times it appears, only those &gt; 0), busiest first.
     *
     * @param heading what the counts are, e.g. "Top-1 experts (tokens)"
     * @param experts experts of the model, for the note on repeated colours
     */
    public void show(String heading, Map<Integer, Long> counts, int experts) {
        getChildren().clear();
        shown.clear();
        title.setText(heading + ":");
        getChildren().add(title);
        List<Map.Entry<Integer, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() <= 0);
        entries.sort(Map.Entry.<Integer, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()));
        for (int i = 0; i < entries.size() && i < MAX_ENTRIES; i++) {
            int expert = entries.get(i).getKey();
            getChildren().add(entry(expert, entries.get(i).getValue()));
            shown.add(expert);
        }
        if (entries.size() > MAX_ENTRIES) {
            getChildren().add(new Label("+" + (entries.size() - MAX_ENTRIES) + " more"));
        }
        if (entries.isEmpty()) {
            getChildren().add(new Label("none yet"));
        }
        String repeat = ExpertPalette.repeatNote(experts);
        if (!repeat.isEmpty()) {
            note.setText("(" + repeat + ")");
            getChildren().add(note);
        }
    }

    private static Label entry(int expert, long count) {
        Region swatch = new Region();
        swatch.setMinSize(12, 12);
        swatch.setMaxSize(12, 12);
        swatch.setBackground(new Background(new BackgroundFill(ExpertPalette.color(expert), new CornerRadii(2), null)));
        swatch.setBorder(SWATCH_BORDER);
        Label label = new Label(expert + " \u00d7" + count, swatch);
        label.setGraphicTextGap(3);
        label.setTooltip(new Tooltip("expert " + expert + " (" + ExpertPalette.name(expert) + "): " + count));
        label.getStyleClass().add("expert-legend-entry");
        return label;
    }

    /** The experts listed, in order (for tests). */
    public List<Integer> experts() {
        return List.copyOf(shown);
    }
}
