package org.moescope.app.view.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.Cursor;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.util.Duration;
import org.moescope.app.control.heatmap.ColorScale;

/**
 * The run's text with each token on the colour of its top-1 expert at the chosen layer (the same colours as the
 * inspector's bars), grouped by sequence when the run is batched. Hover shows the token's experts and weights;
 * click selects the token.
 */
public class RoutedText extends TextFlow {

    private final IntegerProperty selectedRow = new SimpleIntegerProperty(this, "selectedRow", -1);
    private final List<Label> labels = new ArrayList<>();
    private final List<Integer> labelRows = new ArrayList<>();

    public RoutedText() {
        getStyleClass().add("routed-text");
        setLineSpacing(3);
        selectedRow.addListener(o -> highlight());
    }

    public IntegerProperty selectedRowProperty() {
        return selectedRow;
    }

    /** Token labels in display order (for tests). */
    public List<Label> tokenLabels() {
        return labels;
    }

    /** The run row each label shows. */
    public int rowOf(Label label) {
        return labelRows.get(labels.indexOf(label));
    }

    public void show(RoutingRun run, int layerIndex, IntFunction<String> tokenText) {
        getChildren().clear();
        labels.clear();
        labelRows.clear();
        if (run.isEmpty() || layerIndex < 0 || layerIndex >= run.layers().length) {
            return;
        }
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < run.rows().size(); r++) {
            order.add(r);
        }
        order.sort(Comparator.comparingInt((Integer r) -> run.rows().get(r).sequence()).thenComparingInt(r -> r));
        boolean batched = run.rows().stream().anyMatch(t -> t.sequence() > 0);
        int currentSequence = -1;
        for (int r : order) {
            RoutingRun.TokenRow t = run.rows().get(r);
            if (batched && t.sequence() != currentSequence) {
                currentSequence = t.sequence();
                Text heading = new Text((getChildren().isEmpty() ? "" : "\n") + "sequence " + currentSequence + ":  ");
                heading.getStyleClass().add("sequence-heading");
                getChildren().add(heading);
            }
            String raw = tokenText.apply(t.tokenId());
            int top1 = run.top1(r, layerIndex);
            Label label = new Label(RoutingRun.printable(raw).isEmpty() ? "\u2205" : RoutingRun.printable(raw));
            int argb = top1 >= 0 ? ColorScale.categorical(top1) : 0xffcfd8dc;
            boolean dark = ColorScale.luminance(argb) < 0.35;
            label.setStyle(String.format("-fx-background-color: #%06x; -fx-text-fill: %s; -fx-padding: 1 2 1 2;"
                    + " -fx-background-radius: 3;", argb & 0xffffff, dark ? "white" : "black"));
            label.setCursor(Cursor.HAND);
            Tooltip tip = new Tooltip(run.describeToken(r, layerIndex, tokenText));
            tip.setShowDelay(Duration.millis(150));
            label.setTooltip(tip);
            label.setOnMouseClicked(e -> selectedRow.set(r));
            labels.add(label);
            labelRows.add(r);
            getChildren().add(label);
            if (raw != null && raw.contains("\n")) {
                getChildren().add(new Text("\n"));
            }
        }
        highlight();
    }

    private void highlight() {
        for (int i = 0; i < labels.size(); i++) {
            Label l = labels.get(i);
            boolean selected = labelRows.get(i) == selectedRow.get();
            String base = l.getStyle().replaceAll(" -fx-border-color:[^;]*; -fx-border-width:[^;]*;", "");
            l.setStyle(selected ? base + " -fx-border-color: #ff1744; -fx-border-width: 2;" : base);
        }
    }
}
