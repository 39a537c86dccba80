package org.moescope.app.view.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntFunction;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.Cursor;
import javafx.scene.control.ContentDisplay;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.geometry.Insets;
import javafx.scene.layout.Background;
import javafx.scene.layout.BackgroundFill;
import javafx.scene.layout.Border;
import javafx.scene.layout.BorderStroke;
import javafx.scene.layout.BorderStrokeStyle;
import javafx.scene.layout.BorderWidths;
import javafx.scene.layout.CornerRadii;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.util.Duration;
import org.moescope.app.control.ExpertPalette;

/**
 * The run's text with each token on the {@link ExpertPalette} colour of its top-1 expert at the chosen layer (the
 * same colours as the inspector's bars and the expert grid), followed by the expert's number when the model has more
 * experts than colours; grouped by sequence when the run is batched. Hover shows the token's experts and weights;
 * click selects the token.
 */
public class RoutedText extends TextFlow {

    private final IntegerProperty selectedRow = new SimpleIntegerProperty(this, "selectedRow", -1);
    private final List<Label> labels = new ArrayList<>();
    private final List<Integer> labelRows = new ArrayList<>();
    /** Rows shown, in order, and the layer they are coloured for (-1: rebuild on the next show). */
    private final List<RoutingRun.TokenRow> shownTokens = new ArrayList<>();
    private int shownLayer = -1;

    private static final Color UNROUTED = Color.web("#cfd8dc");
    private static final CornerRadii TOKEN_RADII = new CornerRadii(3);
    private static final Insets TOKEN_PADDING = new Insets(1, 2, 1, 2);
    private static final Border SELECTED_BORDER = new Border(new BorderStroke(Color.web("#ff1744"),
            BorderStrokeStyle.SOLID, TOKEN_RADII, new BorderWidths(2)));

    private final Tooltip tip = new Tooltip();

    public RoutedText() {
        getStyleClass().add("routed-text");
        tip.setShowDelay(Duration.millis(150));
        Tooltip.install(this, tip);
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

    /** The label of run row {@code row}, or null when it is not shown. */
    public Label labelOf(int row) {
        int i = labelRows.indexOf(row);
        return i < 0 ? null : labels.get(i);
    }

    /** The run row each label shows. */
    public int rowOf(Label label) {
        return labelRows.get(labels.indexOf(label));
    }

    /**
     * Shows {@code run} at one MoE layer. When the run only grew (live decode, one sequence) and the layer is the
     * same, only the new tokens are added, so a long text is not rebuilt at every step.
     */
    public void show(RoutingRun run, int layerIndex, IntFunction<String> tokenText) {
        boolean valid = !run.isEmpty() && layerIndex >= 0 && layerIndex < run.layers().length;
        boolean batched = valid && run.rows().stream().anyMatch(t -> t.sequence() > 0);
        if (valid && !batched && layerIndex == shownLayer && extendsShown(run)) {
            for (int r = shownTokens.size(); r < run.rows().size(); r++) {
                addToken(run, r, layerIndex, tokenText);
            }
            highlight();
            return;
        }
        getChildren().clear();
        labels.clear();
        labelRows.clear();
        shownTokens.clear();
        shownLayer = -1;
        if (!valid) {
            return;
        }
        List<Integer> order = new ArrayList<>();
        for (int r = 0; r < run.rows().size(); r++) {
            order.add(r);
        }
        order.sort(Comparator.comparingInt((Integer r) -> run.rows().get(r).sequence()).thenComparingInt(r -> r));
        int currentSequence = -1;
        for (int r : order) {
            RoutingRun.TokenRow t = run.rows().get(r);
            if (batched && t.sequence() != currentSequence) {
                currentSequence = t.sequence();
                Text heading = new Text((getChildren().isEmpty() ? "" : "\n") + "sequence " + currentSequence + ":  ");
                heading.getStyleClass().add("sequence-heading");
                getChildren().add(heading);
            }
            addToken(run, r, layerIndex, tokenText);
        }
        // a batched text is regrouped by sequence, so it is never extended in place
        shownLayer = batched ? -1 : layerIndex;
        highlight();
    }

    /** Whether the shown tokens are the first rows of {@code run} (same step, row and token each). */
    private boolean extendsShown(RoutingRun run) {
        if (shownTokens.isEmpty() || run.rows().size() < shownTokens.size()) {
            return false;
        }
        for (int r = 0; r < shownTokens.size(); r++) {
            if (!run.rows().get(r).equals(shownTokens.get(r))) {
                return false;
            }
        }
        return true;
    }

    private void addToken(RoutingRun run, int r, int layerIndex, IntFunction<String> tokenText) {
        RoutingRun.TokenRow t = run.rows().get(r);
        String raw = tokenText.apply(t.tokenId());
        int top1 = run.top1(r, layerIndex);
        Label label = new Label(RoutingRun.printable(raw).isEmpty() ? "\u2205" : RoutingRun.printable(raw));
        label.setBackground(new Background(new BackgroundFill(
                top1 >= 0 ? ExpertPalette.color(top1) : UNROUTED, TOKEN_RADII, null)));
        // inline, so that no stylesheet's label colour (presentation mode's black) lands on a dark expert colour
        Color textFill = top1 >= 0 ? ExpertPalette.textOn(top1) : Color.BLACK;
        label.setTextFill(textFill);
        label.setStyle("-fx-text-fill: " + webColor(textFill) + ";");
        if (top1 >= 0 && ExpertPalette.repeats(run.experts())) {
            // colours repeat: the expert's number, small after the token, tells experts of one colour apart
            Text number = new Text(Integer.toString(top1));
            number.getStyleClass().add("routed-text-expert");
            number.setStyle("-fx-font-size: 0.9em;"); // 18 px when presenting (20 px type): readable from a distance
            number.setFill(label.getTextFill());
            label.setGraphic(number);
            label.setContentDisplay(ContentDisplay.RIGHT);
            label.setGraphicTextGap(1);
        }
        label.setPadding(TOKEN_PADDING);
        label.setCursor(Cursor.HAND);
        // one shared tooltip: a Tooltip per token is a popup window each and makes long texts slow to build
        label.setOnMouseEntered(e -> tip.setText(run.describeToken(r, layerIndex, tokenText)));
        label.setOnMouseClicked(e -> selectedRow.set(r));
        labels.add(label);
        labelRows.add(r);
        shownTokens.add(t);
        getChildren().add(label);
        if (raw != null && raw.contains("\n")) {
            getChildren().add(new Text("\n"));
        }
    }

    private void highlight() {
        for (int i = 0; i < labels.size(); i++) {
            boolean selected = labelRows.get(i) == selectedRow.get();
            labels.get(i).setBorder(selected ? SELECTED_BORDER : null);
        }
    }

    private static String webColor(Color c) {
        return String.format(java.util.Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255),
                Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255));
    }
}
