package org.moescope.app.view.timeline;

import javafx.scene.control.ContextMenu;
import javafx.scene.control.MenuItem;
import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.viewmodel.Selection;
import org.moescope.engine.profile.StageSpan;

/**
 * Ties the flame chart to the shared {@link Selection}: a clicked span writes its step and layer; a token, layer or
 * expert picked elsewhere selects the spans that ran it: that step's MoE block at that layer (every expert of a step
 * and layer runs in the same kernels), or the one stage named, else the step's layer, else the step.
 */
public final class TimelineSelection {

    private final FlameChart chart;
    private final Selection selection;
    /** Set while this class changes the chart or the selection, so that neither change comes back to it. */
    private boolean applying;

    private TimelineSelection(FlameChart chart, Selection selection) {
        this.chart = chart;
        this.selection = selection;
    }

    /** Connects {@code chart} and {@code selection} both ways; adds "Show in routing" to the chart's context menu. */
    public static TimelineSelection attach(FlameChart chart, Selection selection) {
        TimelineSelection sync = new TimelineSelection(chart, selection);
        chart.selectedBoxProperty().addListener((o, was, box) -> sync.boxSelected(box));
        // Reset or another model: the pick named steps that are gone
        chart.layoutProperty().addListener((o, was, now) -> {
            if (now.isEmpty()) {
                selection.select(null);
            }
        });
        selection.targetProperty().addListener((o, was, now) -> sync.apply(now));
        selection.addShowListener(view -> {
            if (view == Selection.View.TIMELINE) {
                // the chart drops its selection on Esc or a new run; the pick is still there to show
                if (chart.selectedBoxProperty().get() == null && chart.getSelection() == null) {
                    sync.apply(selection.target());
                }
                chart.fitSelectionOrAll();
            }
        });
        MenuItem show = new MenuItem("Show in routing");
        show.getStyleClass().add("show-in-routing");
        show.setOnAction(e -> selection.show(Selection.View.ROUTING));
        if (chart.getContextMenu() == null) {
            chart.setContextMenu(new ContextMenu());
        }
        chart.getContextMenu().getItems().add(show);
        return sync;
    }

    private void boxSelected(FlameBox box) {
        if (applying || box == null) {
            return;
        }
        FlameLayout layout = chart.getLayout();
        if (box.index() >= layout.count(box.depth())) {
            return;
        }
        StageSpan s = layout.firstSpan(box.depth(), box.index());
        int layer = box.depth() >= FlameLayout.DEPTH_LAYER ? s.layer() : -1;
        applying = true;
        try {
            selection.select(new Selection.Target(s.step(), -1, layer, -1));
        } finally {
            applying = false;
        }
    }

    /** Selects the box that ran {@code t} (nothing when its step was not profiled). */
    private void apply(Selection.Target t) {
        if (applying || t.step() < 0) {
            return;
        }
        FlameBox box = find(chart.getLayout(), t.step(), t.layer(), t.stage());
        if (box == null || box.equals(chart.selectedBoxProperty().get())) {
            return;
        }
        applying = true;
        try {
            chart.select(box);
        } finally {
            applying = false;
        }
    }

    /**
     * The box of {@code step}'s MoE (or dense MLP) block at {@code layer}; the layer's box when it has neither; the
     * step's box when {@code layer} is -1 or not in the step; null when the step has no spans.
     */
    public static FlameBox find(FlameLayout layout, int step, int layer) {
        return find(layout, step, layer, null);
    }

    /** {@link #find(FlameLayout, int, int)}, or the MoE stage {@code stage} of that step and layer when it ran. */
    public static FlameBox find(FlameLayout layout, int step, int layer, String stage) {
        if (layer >= 0 && stage != null) {
            for (int i = 0; i < layout.count(FlameLayout.DEPTH_STAGE); i++) {
                StageSpan s = layout.firstSpan(FlameLayout.DEPTH_STAGE, i);
                if (s.step() == step && s.layer() == layer && s.block().equals("moe") && s.stage().equals(stage)) {
                    return new FlameBox(FlameLayout.DEPTH_STAGE, i);
                }
            }
        }
        if (layer >= 0) {
            for (String block : new String[] {"moe", "mlp"}) {
                FlameBox b = first(layout, FlameLayout.DEPTH_BLOCK, step, layer, block);
                if (b != null) {
                    return b;
                }
            }
            FlameBox b = first(layout, FlameLayout.DEPTH_LAYER, step, layer, null);
            if (b != null) {
                return b;
            }
        }
        return first(layout, FlameLayout.DEPTH_STEP, step, Integer.MIN_VALUE, null);
    }

    private static FlameBox first(FlameLayout layout, int depth, int step, int layer, String block) {
        for (int i = 0; i < layout.count(depth); i++) {
            StageSpan s = layout.firstSpan(depth, i);
            if (s.step() == step && (layer == Integer.MIN_VALUE || s.layer() == layer)
                    && (block == null || block.equals(s.block()))) {
                return new FlameBox(depth, i);
            }
        }
        return null;
    }
}
