package org.moescope.app.view.routing;

import java.util.List;
import java.util.function.Supplier;
import javafx.beans.property.IntegerProperty;
import javafx.scene.Node;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.viewmodel.Selection;

/**
 * Ties the routing views to the shared {@link Selection}: the selected token row (text, heatmap row, inspector), the
 * MoE layer and the token heatmap's expert column are written to it, and a step or layer picked elsewhere (a span in
 * the timeline) selects that step's token and that layer here. A pick of a whole step keeps the selected token when
 * it belongs to the step, else takes the step's first token.
 */
public final class RoutingSelection {

    private final IntegerProperty selectedRow;
    private final IntegerProperty layerIndex;
    private final Supplier<RoutingRun> run;
    private final RoutingHeatmap tokenHeatmap;
    private final Selection selection;
    /** Set while this class changes the views or the selection, so that neither change comes back to it. */
    private boolean applying;

    private RoutingSelection(IntegerProperty selectedRow, IntegerProperty layerIndex, Supplier<RoutingRun> run,
                             RoutingHeatmap tokenHeatmap, Selection selection) {
        this.selectedRow = selectedRow;
        this.layerIndex = layerIndex;
        this.run = run;
        this.tokenHeatmap = tokenHeatmap;
        this.selection = selection;
    }

    /**
     * Connects the routing view's shared token row and layer index (into {@code run}'s MoE layers), its token ×
     * expert heatmap, and {@code selection}; {@code menuTargets} (the heatmap, the coloured text) get a "Show in
     * timeline" context menu; the inspector's stage names become links to their span in the timeline.
     */
    public static RoutingSelection attach(IntegerProperty selectedRow, IntegerProperty layerIndex, Supplier<RoutingRun> run,
                                          RoutingHeatmap tokenHeatmap, TokenInspector inspector, Selection selection,
                                          List<Node> menuTargets) {
        RoutingSelection sync = new RoutingSelection(selectedRow, layerIndex, run, tokenHeatmap, selection);
        inspector.onStageClickedProperty().set(stage -> {
            sync.write(stage);
            selection.show(Selection.View.TIMELINE);
        });
        selectedRow.addListener(o -> sync.write());
        layerIndex.addListener(o -> sync.write());
        tokenHeatmap.selectedColumnProperty().addListener(o -> sync.write());
        selection.targetProperty().addListener((o, was, now) -> sync.apply(now));
        for (Node n : menuTargets) {
            MenuItem show = new MenuItem("Show in timeline");
            show.getStyleClass().add("show-in-timeline");
            show.setOnAction(e -> selection.show(Selection.View.TIMELINE));
            addContextMenuItem(n, show);
        }
        return sync;
    }

    /**
     * Adds {@code item} to {@code node}'s context menu: a control's own menu (made when it has none, kept when it
     * has), else a menu shown on a context-menu request (a handler added, not set, so others' handlers stay).
     */
    public static void addContextMenuItem(Node node, MenuItem item) {
        if (node instanceof javafx.scene.control.Control c) {
            if (c.getContextMenu() == null) {
                c.setContextMenu(new ContextMenu());
            }
            c.getContextMenu().getItems().add(item);
        } else {
            ContextMenu menu = new ContextMenu(item);
            node.addEventHandler(javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, e -> {
                menu.show(node, e.getScreenX(), e.getScreenY());
                e.consume();
            });
        }
    }

    private void write() {
        write(null);
    }

    /** Writes the selected token, layer and expert, with {@code stage} (or null) of its MoE block. */
    private void write(String stage) {
        RoutingRun r = run.get();
        int row = selectedRow.get();
        int li = layerIndex.get();
        if (applying || row < 0 || row >= r.rows().size() || li < 0 || li >= r.layers().length) {
            return;
        }
        RoutingRun.TokenRow token = r.rows().get(row);
        int expert = tokenHeatmap.selectedColumnProperty().get();
        applying = true;
        try {
            selection.select(new Selection.Target(token.step(), token.rowInStep(), r.layers()[li],
                    expert >= 0 && expert < r.experts() ? expert : -1, stage));
        } finally {
            applying = false;
        }
    }

    private void apply(Selection.Target t) {
        if (applying) {
            return;
        }
        RoutingRun r = run.get();
        applying = true;
        try {
            int li = t.layer() >= 0 ? r.layerIndex(t.layer()) : -1;
            if (li >= 0) {
                layerIndex.set(li);
            }
            int row = rowOf(r, t.step(), t.rowInStep());
            if (row >= 0) {
                selectedRow.set(row);
            }
            if (t.expert() >= 0) {
                tokenHeatmap.selectedColumnProperty().set(t.expert());
            }
        } finally {
            applying = false;
        }
    }

    /** The run's row of {@code step}'s token {@code rowInStep} (-1: the selected row if in the step, else its first). */
    private int rowOf(RoutingRun r, int step, int rowInStep) {
        if (step < 0) {
            return -1;
        }
        int current = selectedRow.get();
        if (rowInStep < 0 && current >= 0 && current < r.rows().size() && r.rows().get(current).step() == step) {
            return current;
        }
        for (int i = 0; i < r.rows().size(); i++) {
            RoutingRun.TokenRow row = r.rows().get(i);
            if (row.step() == step && (rowInStep < 0 || row.rowInStep() == rowInStep)) {
                return i;
            }
        }
        return -1;
    }
}
