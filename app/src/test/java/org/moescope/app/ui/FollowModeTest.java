package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.expertgrid.ExpertGridData;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.RoutingPane;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Follow mode, the pace of Generate and single steps, on the sample model in the real window. */
@ExtendWith(ApplicationExtension.class)
class FollowModeTest {
    /** A pace that would wait an hour between steps: what the test sees does not race the clock. */
    private static final double ONE_STEP_AN_HOUR = 1.0 / 3600;
    /** A frozen-run watchdog: a Stop that did not end the pause would leave the run waiting for an hour. */
    private static final long STOP_WATCHDOG_SECONDS = 30;

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @Test
    void followGrowsTheMapATokenAtATimeAndTheGridLightsTheNewestTokensExperts(FxRobot robot) throws Exception {
        awaitIdle(vm);
        RoutingPane routing = window.routing();
        robot.press(KeyCode.F8).release(KeyCode.F8);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(fx(() -> routing.followProperty().get()), "F8 turns follow mode on");
        assertEquals("tab-routing", fx(() -> window.tabs().getSelectionModel().getSelectedItem().getId()));

        fxRun(vm::prefill);
        awaitIdle(vm);
        assertFollowing(routing);
        int rows = fx(() -> routing.tokenHeatmap().getData().rows());
        for (int i = 0; i < 3; i++) {
            robot.press(KeyCode.F7).release(KeyCode.F7);
            awaitIdle(vm);
            assertEquals(rows + i + 1, fx(() -> routing.tokenHeatmap().getData().rows()), "a single step adds one row");
            assertFollowing(routing);
        }

        // the legend beside the text lists exactly the top-1 experts of the tokens at the shown layer
        int layerIndex = fx(() -> routing.layerIndexProperty().get());
        Set<Integer> top1 = new TreeSet<>();
        for (StepResult s : fx(() -> List.copyOf(vm.steps()))) {
            LayerRouting l = s.routing().layers().get(layerIndex);
            for (int t = 0; t < l.tokens(); t++) {
                top1.add(l.ids()[t * l.k()]);
            }
        }
        assertEquals(top1, new TreeSet<>(fx(() -> routing.textLegend().experts())));

        robot.press(KeyCode.F8).release(KeyCode.F8);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0.0, fx(() -> routing.tokenHeatmap().fixedRowHeightProperty().get()), "off: rows share the map again");
        assertTrue(fx(() -> routing.loadHeatmap().getScene() != null), "off: the load heatmap is back");
    }

    /** The newest token is selected, in view, and the grid lights exactly its experts at every MoE layer. */
    private void assertFollowing(RoutingPane routing) throws Exception {
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        int tokens = steps.stream().mapToInt(s -> s.routing().tokenIds().length).sum();
        assertEquals(tokens, fx(() -> routing.tokenHeatmap().getData().rows()), "one row per token so far");
        assertEquals(tokens - 1, fx(() -> routing.selectedRowProperty().get()), "the newest token is selected");
        assertEquals(tokens - 1, fx(() -> routing.tokenHeatmap().selectedRowProperty().get()));

        StepResult last = steps.get(steps.size() - 1);
        ExpertGridData grid = fx(() -> routing.expertGrid().getData());
        List<LayerRouting> layers = last.routing().layers();
        assertEquals(layers.size(), grid.layers().length);
        for (int li = 0; li < layers.size(); li++) {
            LayerRouting l = layers.get(li);
            int t = l.tokens() - 1;
            int[] chosen = Arrays.copyOfRange(l.ids(), t * l.k(), (t + 1) * l.k());
            Arrays.sort(chosen);
            assertArrayEquals(chosen, grid.litExperts(li), "layer " + l.layer());
            assertEquals(l.layer(), grid.layers()[li]);
            for (int j = 0; j < l.k(); j++) {
                assertEquals(l.weights()[t * l.k() + j], grid.weight(li, l.ids()[t * l.k() + j]), 1e-7);
            }
        }
        assertTrue(fx(() -> routing.expertGrid().getScene() != null && routing.expertGrid().getHeight() > 50),
                "the grid is on screen while following: " + fx(() -> routing.expertGrid().getHeight()));

        Bounds inView = fx(() -> {
            Label label = routing.routedText().labelOf(tokens - 1);
            ScrollPane scroll = (ScrollPane) routing.lookup("#routed-text-scroll");
            Bounds viewport = scroll.localToScene(scroll.getBoundsInLocal());
            Bounds token = label.localToScene(label.getBoundsInLocal());
            return viewport.contains(token.getCenterX(), token.getCenterY()) ? token : null;
        });
        assertTrue(inView != null, "the newest token is scrolled into view");
    }

    @Test
    void atASlowPaceOneStepHasArrivedAndStopEndsThePauseAtOnce(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.maxNewTokensProperty().set(8));
        fxRun(() -> window.routing().paceProperty().set(1.0));
        assertEquals(1.0, fx(() -> vm.pacer().stepsPerSecond()), "the view's pace is the run's");
        fxRun(() -> vm.pacer().setStepsPerSecond(ONE_STEP_AN_HOUR));

        try {
            generateAndStop();
        } finally {
            // a run left waiting would hold the engine thread for an hour: a new pace ends its pause
            fxRun(() -> vm.pacer().setStepsPerSecond(0));
        }

        // Step runs one decode step whatever the pace, and the run goes on from there
        fxRun(vm::step);
        awaitIdle(vm);
        assertEquals(2, fx(() -> vm.steps().size()));
        assertTrue(fx(() -> vm.runActiveProperty().get()));
    }

    private void generateAndStop() throws Exception {
        fxRun(vm::generate);
        WaitForAsyncUtils.waitFor(AppFixture.ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> vm.steps().size() >= 1));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, fx(() -> vm.steps().size()), "the prefill, then a pause");
        assertTrue(fx(() -> vm.busyProperty().get()), "the run waits for its next step");

        fxRun(vm::stop);
        WaitForAsyncUtils.waitFor(STOP_WATCHDOG_SECONDS, TimeUnit.SECONDS, () -> fx(() -> !vm.busyProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, fx(() -> vm.steps().size()), "no step after Stop");
        assertEquals("Stopped", fx(() -> vm.statusProperty().get()));
    }
}
