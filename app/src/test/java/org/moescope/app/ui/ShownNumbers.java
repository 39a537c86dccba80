package org.moescope.app.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.shape.Path;
import javafx.scene.text.Text;

/** What a node shows on screen, read from its rendered nodes (a TilesFX tile keeps its own copy of its value). */
final class ShownNumbers {
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.\\d+");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?\\.?");

    private ShownNumbers() {
    }

    /** Whether {@code node} and every parent up to the scene are visible. */
    static boolean treeVisible(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return true;
    }

    /** Visible Text nodes under {@code root}, in scene-graph order. */
    static List<Text> texts(Node root) {
        List<Text> out = new ArrayList<>();
        walk(root, n -> {
            if (n instanceof Text t && treeVisible(t) && !t.getText().isEmpty()) {
                out.add(t);
            }
        });
        return out;
    }

    /** The visible numbers with a decimal point under {@code root} (a tile's value, not its scale's tick labels). */
    static List<Double> decimals(Node root) {
        return texts(root).stream().map(Text::getText).map(String::trim).filter(s -> DECIMAL.matcher(s).matches())
                .map(Double::parseDouble).toList();
    }

    /** Every visible text that is a number (with or without decimals, or cut after the point: "22."). */
    static List<String> numbers(Node root) {
        return texts(root).stream().map(Text::getText).map(String::trim).filter(s -> NUMBER.matcher(s).matches()).toList();
    }

    /** Whether a visible path under {@code root} draws something (a chart line or area). */
    static boolean drawsPath(Node root) {
        boolean[] found = {false};
        walk(root, n -> {
            if (n instanceof Path p && treeVisible(p) && p.getElements().size() > 1) {
                found[0] = true;
            }
        });
        return found[0];
    }

    static void walk(Node node, java.util.function.Consumer<Node> visit) {
        visit.accept(node);
        if (node instanceof Parent p) {
            for (Node child : p.getChildrenUnmodifiable()) {
                walk(child, visit);
            }
        }
    }
}
