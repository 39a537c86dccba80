package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.metrics.StageComparison;
import org.moescope.app.service.CompareTask;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A/B compare runs the prompt with both settings and fills both columns. */
@ExtendWith(ApplicationExtension.class)
class CompareTest {
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @Test
    void indirectVersusDirectDispatchFillsBothColumns(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.maxNewTokensProperty().set(2));
        robot.clickOn("#tab-compare .tab-label");
        robot.clickOn("Indirect vs direct dispatch");
        robot.clickOn("#compare-warm-up");
        fxRun(() -> robot.lookup("#compare-repeats").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(2));
        robot.clickOn("#compare-button");
        awaitIdle(vm);

        assertNull(fx(() -> vm.lastErrorProperty().get()));
        CompareTask.Result result = fx(() -> vm.comparisonProperty().get());
        assertFalse(result.optionsA().directDispatch());
        assertTrue(result.optionsB().directDispatch());
        assertTrue(result.stepsA().stream().allMatch(s -> s.options().equals(result.optionsA())));
        assertTrue(result.stepsB().stream().allMatch(s -> s.options().equals(result.optionsB())));
        var table = window.compare().table();
        assertEquals(result.comparison().rows(), fx(() -> table.getItems()));
        long both = result.comparison().rows().stream()
                .filter(r -> r.microsA() > 0 && r.microsB() > 0 && !Double.isNaN(r.deltaPercent())).count();
        assertTrue(both > 0, "stages timed on both sides");
        assertTrue(result.comparison().rows().stream().map(StageComparison.Row::label).anyMatch(l -> l.startsWith("prefill")));
        assertTrue(fx(() -> table.getColumns().get(1).getText()).contains("indirect"));
        assertTrue(fx(() -> table.getColumns().get(2).getText()).contains("direct"));
        assertTrue(result.comparison().totalMicrosA() > 0 && result.comparison().totalMicrosB() > 0);
        assertEquals(2, result.comparison().runsA(), "A and B ran twice each");
        assertEquals(2, result.comparison().runsB());
    }
}
