package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.List;
import javafx.geometry.Bounds;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameChartSkin;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.TimeWindow;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.control.heatmap.RoutingHeatmapSkin;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.app.viewmodel.Selection;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Cross-selection on the real app: a token × expert cell clicked in the routing view selects that step's MoE spans
 * at that layer in the flame chart (and Ctrl+J shows them there); a span clicked in the flame chart selects its
 * step's token and its layer in the routing view (and Ctrl+Shift+J shows them there).
 */
@ExtendWith(ApplicationExtension.class)
class CrossSelectionTest {
    private static final int TAB_TIMELINE = 1;
    private static final int TAB_ROUTING = 2;
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @BeforeEach
    void generated(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the model loads without error");
        fxRun(() -> vm.maxNewTokensProperty().set(4));
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        assertTrue(fx(() -> vm.steps().size()) >= 3, "prefill and decode steps");
    }

    private FlameChart chart() {
        return window.timeline().flameChart();
    }

    @Test
    void aHeatmapCellSelectsThatStepsMoeSpansAtThatLayer(FxRobot robot) throws Exception {
        fxRun(() -> window.tabs().getSelectionModel().select(TAB_ROUTING));
        RoutingRun run = fx(() -> window.routing().run());
        int layerIndex = run.layers().length - 1;
        int layer = run.layers()[layerIndex];
        // the second decode step's token: a row of its own, not the prompt
        int row = run.rows().size() - 2;
        int step = run.rows().get(row).step();
        int expert = run.topIds(row, layerIndex)[0];
        fxRun(() -> window.routing().layerIndexProperty().set(layerIndex));
        RoutingHeatmap heatmap = window.routing().tokenHeatmap();
        double[] centre = fx(() -> ((RoutingHeatmapSkin) heatmap.getSkin()).cellCentre(row, expert));
        Bounds b = fx(() -> heatmap.localToScreen(heatmap.getBoundsInLocal()));
        robot.clickOn(b.getMinX() + centre[0], b.getMinY() + centre[1], MouseButton.PRIMARY);

        assertEquals(row, fx(() -> window.routing().selectedRowProperty().get()), "the click picks the token");
        FlameBox box = fx(() -> chart().selectedBoxProperty().get());
        assertNotNull(box, "a box is selected in the flame chart");
        List<StageSpan> selected = fx(() -> chart().getLayout().spansOf(box.depth(), box.index()));
        List<StageSpan> expected = fx(() -> vm.steps().stream().filter(s -> s.step() == step)
                .flatMap(s -> s.spans().stream()).filter(s -> s.layer() == layer && s.block().equals("moe")).toList());
        assertTrue(!expected.isEmpty(), "the step has MoE spans at layer " + layer);
        assertEquals(expected, selected, "the selected box holds exactly that step's MoE spans at that layer");
        assertEquals(expected.size(), fx(() -> window.timeline().stageTable().summary().spans()),
                "the stage table follows");
        assertEquals(TAB_ROUTING, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()),
                "selecting does not switch views by itself");

        robot.press(KeyCode.SHORTCUT, KeyCode.J).release(KeyCode.J, KeyCode.SHORTCUT);
        assertEquals(TAB_TIMELINE, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()), "Ctrl+J shows the timeline");
        TimeWindow w = fx(() -> chart().getWindow());
        FlameLayout layout = fx(() -> chart().getLayout());
        assertTrue(w.startNanos() <= layout.start(box.depth(), box.index())
                && w.endNanos() >= layout.end(box.depth(), box.index()), "the selection is in view");
        assertTrue(w.spanNanos() < layout.durationNanos() / 2.0, "and zoomed to: " + w);

        // Esc drops the chart's selection; Ctrl+J shows the pick again
        fxRun(() -> chart().requestFocus());
        robot.type(KeyCode.ESCAPE);
        assertNull(fx(() -> chart().selectedBoxProperty().get()), "Esc clears the chart's selection");
        robot.press(KeyCode.SHORTCUT, KeyCode.J).release(KeyCode.J, KeyCode.SHORTCUT);
        assertEquals(box, fx(() -> chart().selectedBoxProperty().get()), "Ctrl+J selects the pick again");

        // a stage name in the token inspector is a link to that stage's span
        fxRun(() -> window.tabs().getSelectionModel().select(TAB_ROUTING));
        javafx.scene.control.Label down = robot.lookup(".inspector-stage").match((javafx.scene.Node n) ->
                "down".equals(((javafx.scene.control.Label) n).getText())).query();
        fxRun(() -> scrollIntoView(down));
        robot.clickOn(down);
        assertEquals(TAB_TIMELINE, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()));
        List<StageSpan> stage = fx(() -> {
            FlameBox b2 = chart().selectedBoxProperty().get();
            return chart().getLayout().spansOf(b2.depth(), b2.index());
        });
        assertEquals(expected.stream().filter(s -> s.stage().equals("down")).toList(), stage,
                "the click selects that step's down span at that layer");
    }

    /** Scrolls the scroll pane that holds {@code node} so that the node is in its viewport. */
    private static void scrollIntoView(javafx.scene.Node node) {
        javafx.scene.Node p = node.getParent();
        while (p != null && !(p instanceof javafx.scene.control.ScrollPane)) {
            p = p.getParent();
        }
        if (p instanceof javafx.scene.control.ScrollPane sp) {
            javafx.scene.Node content = sp.getContent();
            double y = content.sceneToLocal(node.localToScene(node.getBoundsInLocal())).getMinY();
            double room = content.getBoundsInLocal().getHeight() - sp.getViewportBounds().getHeight();
            sp.setVvalue(room <= 0 ? 0 : Math.min(1, y / room));
            sp.layout();
        }
    }

    @Test
    void aSpanSelectsItsTokenAndLayerInTheRoutingView(FxRobot robot) throws Exception {
        fxRun(() -> window.tabs().getSelectionModel().select(TAB_TIMELINE));
        RoutingRun run = fx(() -> window.routing().run());
        // a MoE stage of the first decode step at the last MoE layer (the routing view shows the first), zoomed so
        // it is wide enough to click
        int step = fx(() -> vm.steps().get(1).step());
        int layerIndex = run.layers().length - 1;
        int layer = run.layers()[layerIndex];
        assertEquals(0, fx(() -> window.routing().layerIndexProperty().get()));
        assertEquals(-1, fx(() -> window.routing().selectedRowProperty().get()));
        FlameLayout layout = fx(() -> chart().getLayout());
        int index = -1;
        for (int i = 0; i < layout.count(FlameLayout.DEPTH_STAGE) && index < 0; i++) {
            StageSpan s = layout.firstSpan(FlameLayout.DEPTH_STAGE, i);
            if (s.step() == step && s.layer() == layer && s.block().equals("moe") && s.stage().equals("router")) {
                index = i;
            }
        }
        assertTrue(index >= 0, "the router span of step " + step + " at layer " + layer);
        long start = layout.start(FlameLayout.DEPTH_STAGE, index);
        long end = layout.end(FlameLayout.DEPTH_STAGE, index);
        fxRun(() -> chart().windowProperty().set(TimeWindow.around(start, end, layout.durationNanos())));
        Bounds b = fx(() -> chart().localToScreen(chart().getBoundsInLocal()));
        double plot = fx(() -> chart().getWidth()) - FlameChartSkin.GUTTER;
        double x = b.getMinX() + FlameChartSkin.GUTTER + fx(() -> chart().getWindow()).toX((start + end) / 2.0, plot);
        robot.clickOn(x, b.getMinY() + 22 + FlameLayout.DEPTH_STAGE * 21 + 10, MouseButton.PRIMARY);
        assertEquals(new FlameBox(FlameLayout.DEPTH_STAGE, index), fx(() -> chart().selectedBoxProperty().get()),
                "the click selects the span itself");

        int expectedRow = -1;
        for (int r = 0; r < run.rows().size() && expectedRow < 0; r++) {
            if (run.rows().get(r).step() == step) {
                expectedRow = r;
            }
        }
        assertEquals(expectedRow, fx(() -> window.routing().selectedRowProperty().get()), "the step's token is selected");
        assertEquals(expectedRow, fx(() -> window.routing().tokenHeatmap().selectedRowProperty().get()),
                "and its heatmap row");
        assertEquals(layerIndex, fx(() -> window.routing().layerIndexProperty().get()), "the span's layer is chosen");
        assertTrue(fx(() -> window.routing().inspector().headerText()).contains("step " + step),
                "the token inspector shows the token");

        robot.press(KeyCode.SHORTCUT, KeyCode.SHIFT, KeyCode.J).release(KeyCode.J, KeyCode.SHIFT, KeyCode.SHORTCUT);
        assertEquals(TAB_ROUTING, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()),
                "Ctrl+Shift+J shows the routing view");

        // and back through the heatmap's context menu
        RoutingHeatmap heatmap = window.routing().tokenHeatmap();
        int tokenRow = expectedRow;
        double[] centre = fx(() -> ((RoutingHeatmapSkin) heatmap.getSkin()).cellCentre(tokenRow, 0));
        Bounds h = fx(() -> heatmap.localToScreen(heatmap.getBoundsInLocal()));
        robot.clickOn(h.getMinX() + centre[0], h.getMinY() + centre[1], MouseButton.SECONDARY);
        // Monocle sends no context-menu request for a right click; the desktop's does, as here
        robot.interact(() -> javafx.event.Event.fireEvent(heatmap, new javafx.scene.input.ContextMenuEvent(
                javafx.scene.input.ContextMenuEvent.CONTEXT_MENU_REQUESTED, centre[0], centre[1],
                h.getMinX() + centre[0], h.getMinY() + centre[1], false, null)));
        assertTrue(fx(() -> heatmap.getContextMenu() != null && heatmap.getContextMenu().isShowing()), "the menu is up");
        robot.clickOn(".show-in-timeline");
        assertEquals(TAB_TIMELINE, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()),
                "Show in timeline from the heatmap's menu");
        List<StageSpan> moeSpans = fx(() -> vm.steps().stream().filter(st -> st.step() == step)
                .flatMap(st -> st.spans().stream()).filter(sp -> sp.layer() == layer && sp.block().equals("moe")).toList());
        assertEquals(moeSpans, fx(() -> {
                    FlameBox box = chart().selectedBoxProperty().get();
                    return chart().getLayout().spansOf(box.depth(), box.index());
                }), "the step's MoE block at the layer is selected");

        // Reset forgets the pick: its steps are gone
        fxRun(vm::reset);
        awaitIdle(vm);
        assertEquals(Selection.Target.NONE, fx(() -> window.selection().target()));
    }
}
