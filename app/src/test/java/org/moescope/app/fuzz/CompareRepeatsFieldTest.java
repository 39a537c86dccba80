package org.moescope.app.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.fuzz.UserInput.fx;

import javafx.scene.Scene;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.view.ComparePane;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Found by the app fuzzer: "Runs per side" on the A/B tab threw NumberFormatException for "abc" and, emptied, made
 * Run A/B throw NullPointerException, both uncaught. Text that is not a whole number from 1 to 50 is refused, and
 * the field shows the value it keeps.
 */
@ExtendWith(ApplicationExtension.class)
class CompareRepeatsFieldTest {
    private ErrorTraps traps;
    private SessionViewModel vm;
    private ComparePane pane;

    @Start
    void start(Stage stage) {
        vm = new SessionViewModel();
        pane = new ComparePane(vm);
        // the window of an earlier test goes first: what it does as it goes is not this test's
        stage.setScene(new Scene(pane, 1000, 600));
        stage.show();
        traps = new ErrorTraps();
        traps.trapCurrentThread();
    }

    @AfterEach
    void release() {
        fx(() -> {
            Thread.currentThread().setUncaughtExceptionHandler(null);
            return null;
        });
        traps.close();
    }

    @Test
    void textThatIsNoRunCountIsRefusedAndRunAbNeverThrows(FxRobot robot) {
        Spinner<?> repeats = robot.lookup("#compare-repeats").queryAs(Spinner.class);
        type(robot, "7");
        assertEquals(7, fx(repeats::getValue), "a whole number in range is taken");
        for (String bad : new String[] {"abc", "12x", "", "0", "51", "99999999999", "-3", "2.5"}) {
            type(robot, bad);
            assertEquals(7, fx(repeats::getValue), "'" + bad + "' is refused");
            assertEquals("7", fx(() -> repeats.getEditor().getText()), "the field shows the value it kept after '" + bad + "'");
        }
        type(robot, "");
        fx(() -> {
            pane.run();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("No model is loaded: choose a model and press Load.", fx(() -> vm.lastErrorProperty().get()),
                "Run A/B with the field emptied says what is missing");
        assertTrue(traps.failures().isEmpty(), "no exception escaped: " + traps.failures());
    }

    private static void type(FxRobot robot, String text) {
        robot.doubleClickOn("#compare-repeats .text-field");
        robot.push(KeyCode.CONTROL, KeyCode.A).push(KeyCode.BACK_SPACE);
        robot.write(text, 0);
        robot.push(KeyCode.ENTER);
    }
}
