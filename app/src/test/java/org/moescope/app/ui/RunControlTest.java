package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Stop, continue, batched decode, keyboard shortcuts and preferences kept on close. */
@ExtendWith(ApplicationExtension.class)
class RunControlTest {
    private Stage stage;
    private AppPreferences prefs;
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        prefs = AppFixture.freshPreferences(AppFixture.smallModel());
        window = MoeScopeApp.open(stage, prefs, true);
        vm = window.viewModel();
    }

    @Test
    void theLoadButtonCancelsALoadAndTheModelBeforeStaysLoaded(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertTrue(fx(() -> vm.configProperty().get() != null), "the sample model loaded at start");
        // the engine is held so that the load is still queued when Cancel is clicked (a cancel during the load is
        // InferenceSessionTest's: every point at which a load can stop leaves nothing allocated)
        CountDownLatch engineHeld = AppFixture.holdEngine();
        try {
            fxRun(() -> vm.loadModel());
            var load = robot.lookup("#load-button").queryButton();
            assertEquals("Cancel", fx(load::getText));
            assertFalse(fx(load::isDisabled), "Cancel can be clicked during a load");
            robot.clickOn(load);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals("Cancelling the load", fx(() -> vm.statusProperty().get()));
        } finally {
            engineHeld.countDown();
        }
        awaitIdle(vm);
        assertEquals("Load cancelled: sample-weights stays loaded", fx(() -> vm.statusProperty().get()));
        assertTrue(fx(() -> vm.configProperty().get() != null), "the old model is kept");
        assertTrue(fx(() -> vm.readyProperty().get()));
        assertEquals("Load", fx(() -> robot.lookup("#load-button").queryButton().getText()));

        fxRun(() -> vm.loadModel());
        awaitIdle(vm);
        assertTrue(fx(() -> vm.configProperty().get() != null), "a later load works");
        assertNull(fx(() -> vm.lastErrorProperty().get()));
    }

    @Test
    void stopCancelsTheRunAndStepStartsFromWhereItStopped(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertTrue(robot.lookup("#stop-button").queryButton().isDisabled(), "nothing to stop");
        fxRun(() -> {
            vm.maxNewTokensProperty().set(200);
            vm.prefill();
        });
        awaitIdle(vm);
        // Generate and Stop in one FX event do not order Stop against the engine thread, which takes the Generate up
        // as soon as it is queued: an FX thread held up for one warm decode step (a few ms) on a loaded machine let a
        // second decode step start before Stop. So the engine is held until Stop has landed: no step is in flight,
        // and none may run. (Stop during a step: RunTaskTest.stopTakesEffectAfterTheStepInFlight.)
        CountDownLatch engineHeld = AppFixture.holdEngine();
        try {
            fxRun(() -> {
                vm.generate();
                vm.stop();
            });
        } finally {
            engineHeld.countDown();
        }
        awaitIdle(vm);
        assertEquals("Stopped", fx(() -> vm.statusProperty().get()));
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        assertEquals(1, steps.size(), "no step was in flight at Stop, so only the prefill is there: " + steps.size());
        assertTrue(fx(() -> vm.runActiveProperty().get()), "stopped, not finished");

        robot.clickOn("#step-button");
        awaitIdle(vm);
        List<StepResult> after = fx(() -> List.copyOf(vm.steps()));
        assertEquals(steps.size() + 1, after.size(), "Step continues the stopped run");
        assertEquals(steps.size(), after.get(after.size() - 1).step());
    }

    @Test
    void batchTwoRunsBatchedDecodeAndShowsBothSequences(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> {
            vm.batchProperty().set(2);
            vm.maxNewTokensProperty().set(2);
        });
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        assertEquals(Phase.PREFILL, steps.get(0).phase());
        assertEquals(2, steps.get(0).newTokens().length);
        assertTrue(steps.size() >= 2);
        for (StepResult s : steps.subList(1, steps.size())) {
            assertEquals(Phase.BATCHED_DECODE, s.phase());
            assertEquals(2, s.tokensProcessed());
        }
        String text = fx(() -> vm.textProperty().get());
        assertTrue(text.contains("[sequence 0]") && text.contains("[sequence 1]"), text);
    }

    @Test
    void dashboardFollowsTheRunAndClearsOnReset(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.maxNewTokensProperty().set(6));
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        var tiles = window.output().tiles();
        RunMetrics m = fx(() -> vm.metricsProperty().get());
        assertEquals(RunMetrics.of(fx(() -> List.copyOf(vm.steps()))), m, "the metrics are those of the recorded steps");
        assertEquals(m.tokensPerSecond(), fx(() -> tiles.tokensPerSecond().getValue()), 1e-9);
        assertEquals(m.moeShare() * 100, fx(() -> tiles.moeShare().getValue()), 1e-9);
        assertEquals(m.loadImbalance(), fx(() -> tiles.imbalance().getValue()), 1e-9);
        List<Double> shown = fx(() -> tiles.latency().getChartData().stream().map(d -> d.getValue()).toList());
        assertEquals(m.decodeLatencyMillis(), shown, "one point per decode step");
        assertTrue(m.moeShare() > 0 && m.moeShare() < 1);

        robot.clickOn("#reset-button");
        awaitIdle(vm);
        assertTrue(fx(() -> tiles.latency().getChartData().isEmpty()), "a reset clears the latency chart");
        assertEquals(0, fx(() -> tiles.latency().getValue()));
        assertEquals(0, fx(() -> tiles.tokensPerSecond().getValue()));
    }

    @Test
    void keyboardShortcutsDriveTheRun(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.maxNewTokensProperty().set(4));
        robot.press(KeyCode.F6).release(KeyCode.F6);
        awaitIdle(vm);
        assertEquals(1, fx(() -> vm.steps().size()), "F6 prefills");
        robot.press(KeyCode.F7).release(KeyCode.F7);
        awaitIdle(vm);
        assertEquals(2, fx(() -> vm.steps().size()), "F7 steps");
        boolean fused = fx(() -> vm.fusedGateUpSiluProperty().get());
        robot.press(KeyCode.ALT, KeyCode.DIGIT1).release(KeyCode.DIGIT1, KeyCode.ALT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(!fused, fx(() -> vm.fusedGateUpSiluProperty().get()), "Alt+1 toggles fused gate+up+SiLU");
    }

    @Test
    void closingTheWindowKeepsSwitchesModelAndTheme() throws Exception {
        awaitIdle(vm);
        MoeOptions chosen = new MoeOptions(false, true, true, true);
        fxRun(() -> {
            vm.setSwitches(chosen);
            window.darkThemeProperty().set(true);
            stage.hide();
        });
        assertEquals(chosen, prefs.switches());
        assertTrue(prefs.darkTheme());
        assertEquals(AppFixture.smallModel(), prefs.model());
        assertEquals("java", prefs.device());
        assertTrue(window.getScene().getStylesheets().stream().anyMatch(s -> s.endsWith("dark.css")), "the dark theme applies");
    }
}
