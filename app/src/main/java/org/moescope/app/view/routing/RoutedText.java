package org.moescope.app.view.routing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.collections.ObservableList;
import javafx.geometry.Insets;
import javafx.scene.Cursor;
import javafx.scene.control.ContentDisplay;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
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
import org.moescope.engine.profile.LayerRouting;

/**
 * The run's text with each token on the {@link ExpertPalette} colour of its top-1 expert at the chosen layer (the
 * same colours as the inspector's bars and the expert grid), followed by the expert's number when the model has more
 * experts than colours; grouped by sequence when the run is batched. Hover shows the token's experts and weights;
 * click selects the token.
 *
 * <p>Each token is a node of a {@link TextFlow}, whose layout costs time in proportion to its nodes, so the text
 * shows only the last {@link #MAX_TOKENS} tokens (split evenly between the sequences) under a line that counts the
 * earlier ones. A run that grew, or lost its oldest steps to the step window, keeps the tokens still shown and adds
 * only the new ones: an update costs the new tokens, not the run's length.
 */
public class RoutedText extends TextFlow {

    /** Tokens shown at most, over all sequences. */
    public static final int MAX_TOKENS = 2000;

    private final IntegerProperty selectedRow = new SimpleIntegerProperty(this, "selectedRow", -1);
    /** The shown sequences in display order (one, without a heading, when the run is not batched). */
    private final List<Block> blocks = new ArrayList<>();
    private RoutingRun run = new RoutingRun(List.of());
    private IntFunction<String> tokenText = id -> "";
    private int shownLayer = -1;
    private boolean shownBatched;

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
        List<Label> labels = new ArrayList<>();
        for (Block b : blocks) {
            b.tokens.forEach(t -> labels.add(t.label));
        }
        return labels;
    }

    /** The label of run row {@code row}, or null when it is not shown. */
    public Label labelOf(int row) {
        for (Block b : blocks) {
            for (Shown t : b.tokens) {
                if (t.runRow == row) {
                    return t.label;
                }
            }
        }
        return null;
    }

    /** The run row each label shows. */
    public int rowOf(Label label) {
        return shownOf(label).runRow;
    }

    /** The "… 14,000 earlier tokens" line of each shown sequence ("" when all its tokens are shown). */
    public List<String> earlierTokenLines() {
        return blocks.stream().map(b -> b.earlier.getText()).toList();
    }

    /**
     * Shows {@code run} at one MoE layer: the last tokens of each sequence. Tokens already shown at the same layer
     * (the same routing records, however the run's rows moved) are kept; only new ones are added.
     */
    public void show(RoutingRun run, int layerIndex, IntFunction<String> tokenText) {
        this.run = run;
        this.tokenText = tokenText;
        boolean valid = !run.isEmpty() && layerIndex >= 0 && layerIndex < run.layers().length;
        if (!valid) {
            clearShown();
            return;
        }
        Map<Integer, List<Integer>> bySequence = new LinkedHashMap<>();
        List<RoutingRun.TokenRow> rows = run.rows();
        for (int r = 0; r < rows.size(); r++) {
            bySequence.computeIfAbsent(rows.get(r).sequence(), s -> new ArrayList<>()).add(r);
        }
        List<Integer> sequences = new ArrayList<>(bySequence.keySet());
        sequences.sort(null);
        boolean batched = sequences.get(sequences.size() - 1) > 0;
        if (layerIndex != shownLayer || batched != shownBatched || !sameSequences(sequences)) {
            clearShown();
            shownLayer = layerIndex;
            shownBatched = batched;
            for (int s : sequences) {
                Block b = new Block(s, batched && blocks.isEmpty() ? "sequence " + s + ":  "
                        : batched ? "\nsequence " + s + ":  " : null);
                blocks.add(b);
                getChildren().addAll(b.header());
            }
        }
        int perSequence = Math.max(1, MAX_TOKENS / sequences.size());
        int offset = 0;
        for (Block b : blocks) {
            offset = update(b, bySequence.get(b.sequence), perSequence, offset);
        }
        highlight();
    }

    private boolean sameSequences(List<Integer> sequences) {
        if (blocks.size() != sequences.size()) {
            return false;
        }
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).sequence != sequences.get(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Brings one sequence's block (its nodes start at child {@code offset}) to the last {@code limit} of its run
     * rows {@code rows}; returns the child index after the block.
     */
    private int update(Block b, List<Integer> rows, int limit, int offset) {
        ObservableList<Node> children = getChildren();
        int tokensAt = offset + b.header().size();
        int matched = matchShown(b, rows);
        if (matched < 0) {
            // the shown tokens are not the end of this run (another run, or all dropped): start the block again
            children.remove(tokensAt, offset + b.nodeCount());
            b.tokens.clear();
        }
        int n = rows.size();
        int wanted = Math.max(0, n - limit);
        // rows of the shown tokens in this run (negative: the step window dropped them), then those to drop
        int shownFrom = matched - b.tokens.size() + 1;
        int drop = Math.min(b.tokens.size(), Math.max(0, wanted - shownFrom));
        int dropNodes = 0;
        for (int i = 0; i < drop; i++) {
            dropNodes += b.tokens.removeFirst().nodes();
        }
        children.remove(tokensAt, tokensAt + dropNodes);
        int row = shownFrom + drop;
        for (Shown t : b.tokens) {
            t.runRow = rows.get(row++);
        }
        List<Node> added = new ArrayList<>();
        for (int i = Math.max(matched + 1, wanted); i < n; i++) {
            Shown t = token(rows.get(i));
            b.tokens.addLast(t);
            added.add(t.label);
            if (t.newline != null) {
                added.add(t.newline);
            }
        }
        int end = offset + b.nodeCount();
        children.addAll(end - added.size(), added);
        int earlier = n - b.tokens.size();
        String line = earlier == 0 ? "" : String.format(Locale.ROOT, "\u2026 %,d earlier token%s\n", earlier,
                earlier == 1 ? "" : "s");
        if (!line.equals(b.earlier.getText())) {
            b.earlier.setText(line);
        }
        return end;
    }

    /**
     * The index in {@code rows} of the block's last shown token, when every shown token that is still in the run
     * sits just before it (in the same order, from the same routing records); -1 when the block must start again.
     */
    private int matchShown(Block b, List<Integer> rows) {
        if (b.tokens.isEmpty()) {
            return -1;
        }
        Shown last = b.tokens.getLast();
        int at = -1;
        for (int i = rows.size() - 1; i >= 0; i--) {
            if (same(last, rows.get(i))) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            return -1;
        }
        int i = at;
        var it = b.tokens.descendingIterator();
        while (it.hasNext() && i >= 0) {
            if (!same(it.next(), rows.get(i--))) {
                return -1;
            }
        }
        return at;
    }

    /** Whether a shown token is run row {@code r}: the same token of the same step, coloured from the same record. */
    private boolean same(Shown t, int r) {
        RoutingRun.TokenRow row = run.rows().get(r);
        return t.row.step() == row.step() && t.row.rowInStep() == row.rowInStep() && t.row.tokenId() == row.tokenId()
                && t.row.position() == row.position() && t.row.phase() == row.phase()
                && t.routing == run.routing(r, shownLayer);
    }

    private Shown token(int r) {
        RoutingRun.TokenRow row = run.rows().get(r);
        String raw = tokenText.apply(row.tokenId());
        String printable = RoutingRun.printable(raw);
        Label label = new Label(printable.isEmpty() ? "\u2205" : printable);
        colour(label, run.top1(r, shownLayer), run.experts());
        label.setPadding(TOKEN_PADDING);
        label.setCursor(Cursor.HAND);
        Shown t = new Shown(row, run.routing(r, shownLayer), label, raw != null && raw.contains("\n") ? new Text("\n") : null);
        t.runRow = r;
        label.setBorder(r == selectedRow.get() ? SELECTED_BORDER : null);
        // one shared tooltip: a Tooltip per token is a popup window each and makes long texts slow to build
        label.setOnMouseEntered(e -> tip.setText(run.describeToken(t.runRow, shownLayer, tokenText)));
        label.setOnMouseClicked(e -> selectedRow.set(t.runRow));
        label.getProperties().put(Shown.class, t);
        return t;
    }

    /** Paints a token for its top-1 expert ({@code -1}: not captured) of {@code experts}. */
    private static void colour(Label label, int top1, int experts) {
        label.setBackground(new Background(new BackgroundFill(
                top1 >= 0 ? ExpertPalette.color(top1) : UNROUTED, TOKEN_RADII, null)));
        // inline, so that no stylesheet's label colour (presentation mode's black) lands on a dark expert colour
        Color textFill = top1 >= 0 ? ExpertPalette.textOn(top1) : Color.BLACK;
        label.setTextFill(textFill);
        label.setStyle("-fx-text-fill: " + webColor(textFill) + ";");
        if (top1 >= 0 && ExpertPalette.repeats(experts)) {
            // colours repeat: the expert's number, small after the token, tells experts of one colour apart
            Text number = new Text(Integer.toString(top1));
            number.getStyleClass().add("routed-text-expert");
            number.setStyle("-fx-font-size: 0.9em;"); // 18 px when presenting (20 px type): readable from a distance
            number.setFill(textFill);
            label.setGraphic(number);
            label.setContentDisplay(ContentDisplay.RIGHT);
            label.setGraphicTextGap(1);
        }
    }

    private static Shown shownOf(Label label) {
        return (Shown) label.getProperties().get(Shown.class);
    }

    private void clearShown() {
        getChildren().clear();
        blocks.clear();
        shownLayer = -1;
        shownBatched = false;
    }

    private void highlight() {
        for (Block b : blocks) {
            for (Shown t : b.tokens) {
                Border border = t.runRow == selectedRow.get() ? SELECTED_BORDER : null;
                if (t.label.getBorder() != border) {
                    t.label.setBorder(border);
                }
            }
        }
    }

    /** One shown token: what it shows (to recognise it in the next run) and its nodes. */
    private static final class Shown {
        final RoutingRun.TokenRow row;
        final LayerRouting routing;
        final Label label;
        /** A line break after a token whose text has one, else null. */
        final Text newline;
        /** Its row in the run shown now. */
        int runRow;

        Shown(RoutingRun.TokenRow row, LayerRouting routing, Label label, Text newline) {
            this.row = row;
            this.routing = routing;
            this.label = label;
            this.newline = newline;
        }

        int nodes() {
            return newline == null ? 1 : 2;
        }
    }

    /** One sequence's part of the text: its heading (batched runs), the earlier-tokens line and its last tokens. */
    private static final class Block {
        final int sequence;
        final Text heading;
        final Text earlier = new Text("");
        final ArrayDeque<Shown> tokens = new ArrayDeque<>();

        Block(int sequence, String heading) {
            this.sequence = sequence;
            this.heading = heading == null ? null : new Text(heading);
            if (this.heading != null) {
                this.heading.getStyleClass().add("sequence-heading");
            }
            earlier.getStyleClass().add("earlier-tokens");
        }

        List<Node> header() {
            return heading == null ? List.of(earlier) : List.of(heading, earlier);
        }

        int nodeCount() {
            int n = header().size();
            for (Shown t : tokens) {
                n += t.nodes();
            }
            return n;
        }
    }

    private static String webColor(Color c) {
        return String.format(java.util.Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255),
                Math.round(c.getGreen() * 255), Math.round(c.getBlue() * 255));
    }
}
