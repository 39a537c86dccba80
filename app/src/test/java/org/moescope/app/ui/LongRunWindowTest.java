package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.List;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.app.viewmodel.StepWindow;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A run longer than the step window keeps its last steps, says so in the status bar, and still counts every step. */
@ExtendWith(ApplicationExtension.class)
class LongRunWindowTest {
    private static final int WINDOW = 4;

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        System.setProperty(StepWindow.PROPERTY, Integer.toString(WINDOW));
        try {
            window = AppFixture.open(stage, AppFixture.smallModel());
        } finally {
            System.clearProperty(StepWindow.PROPERTY);
        }
        vm = window.viewModel();
    }

    @Test
    void theStatusBarSaysHowManyStepsAreShown(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertEquals(WINDOW, fx(() -> vm.stepWindowCapacity()));
        fxRun(() -> {
            vm.maxNewTokensProperty().set(12);
            vm.generate();
        });
        awaitIdle(vm);
        long total = fx(() -> vm.totalStepsProperty().get());
        assertTrue(total > WINDOW, "the run is longer than the window: " + total);
        List<StepResult> kept = fx(() -> List.copyOf(vm.steps()));
        assertTrue(kept.size() == WINDOW || kept.size() == WINDOW - WINDOW / 4, "bounded by the window: " + kept.size());
        assertEquals(total - 1, kept.get(kept.size() - 1).step(), "the last steps are kept");
        assertEquals(String.format("showing the last %d of %d steps; older steps summarised", kept.size(), total),
                robot.lookup("#steps-label").queryLabeled().getText());
        assertTrue(kept.stream().noneMatch(s -> s.phase() == Phase.PREFILL), "the prefill was dropped...");
        assertTrue(fx(() -> vm.metricsProperty().get().prefillMillis()) > 0, "...and still counts in the figures");
        assertTrue(fx(() -> vm.metricsProperty().get().tokensPerSecond()) > 0);
        // the latency chart's points are named by their steps, not by their place in the shortened history
        List<String> names = fx(() -> window.output().tiles().latency().getChartData().stream()
                .map(d -> d.getName()).toList());
        List<String> lastSteps = new java.util.ArrayList<>();
        for (long step = total - names.size(); step < total; step++) {
            lastSteps.add(Long.toString(step));
        }
        assertEquals(lastSteps, names);

        fxRun(() -> vm.reset());
        awaitIdle(vm);
        assertEquals("0 steps", robot.lookup("#steps-label").queryLabeled().getText());
    }
}
