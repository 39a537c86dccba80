package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.NumberField;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Every numeric field of the run panel marks text it does not accept at once, says what is allowed, commits only
 * valid values to the view model, and keeps Prefill / Step / Generate disabled while any field is invalid.
 */
@ExtendWith(ApplicationExtension.class)
class NumberFieldsTest {
    private MainWindow window;
    private SessionViewModel vm;
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    }

    /** A field, the view model's value, a valid text and its value, and which of the bad texts it accepts. */
    private record Field(String id, Supplier<Number> vmValue, String valid, Number validValue, List<String> alsoValid) {
    }

    private List<Field> fields() {
        return List.of(
                new Field("#max-tokens-spinner", () -> vm.maxNewTokensProperty().get(), "7", 7, List.of()),
                new Field("#batch-spinner", () -> vm.batchProperty().get(), "3", 3, List.of()),
                new Field("#temperature-spinner", () -> vm.temperatureProperty().get(), "0.7", 0.7, List.of("0")),
                new Field("#top-p-spinner", () -> vm.topPProperty().get(), "0.9", 0.9, List.of()),
                new Field("#seed-spinner", () -> vm.seedProperty().get(), "123", 123L, List.of("0", "9999999")));
    }

    @Test
    void badTextIsMarkedAndNothingRunsUntilItIsFixed(FxRobot robot) throws Exception {
        awaitIdle(vm);
        for (Field f : fields()) {
            Spinner<?> spinner = robot.lookup(f.id()).queryAs(Spinner.class);
            for (String text : List.of("abc", "12x", "0", "9999999", "1e3")) {
                if (f.alsoValid().contains(text)) {
                    continue;
                }
                Number before = fx(f.vmValue()::get);
                fxRun(() -> spinner.getEditor().setText(text));
                String where = f.id() + " with '" + text + "'";
                assertTrue(fx(() -> spinner.getStyleClass().contains(NumberField.INVALID)), where + " is marked");
                String tip = fx(() -> spinner.getTooltip().getText());
                assertTrue(tip.contains("enter a"), where + ": the tooltip says what is allowed: " + tip);
                var problem = robot.lookup("#input-problem-label").queryLabeled();
                assertTrue(fx(problem::isVisible), where + ": the panel says what is wrong");
                assertTrue(fx(problem::getText).contains(tip.substring(tip.indexOf("enter"))), fx(problem::getText));
                for (String action : List.of("#prefill-button", "#step-button", "#generate-button")) {
                    assertTrue(robot.lookup(action).queryButton().isDisabled(), where + ": " + action + " is disabled");
                }
                assertEquals(before, fx(f.vmValue()::get), where + ": the view model keeps its value");
                // Enter and leaving the field commit nothing and throw nothing
                robot.clickOn(spinner.getEditor()).type(KeyCode.ENTER);
                robot.clickOn("#prompt-area");
                assertEquals(text, fx(spinner.getEditor()::getText), where + ": the text stays as typed");
                assertEquals(before, fx(f.vmValue()::get), where + ": Enter and focus loss commit nothing");
                // the shortcut path (menu accelerators call the view model) refuses too
                fxRun(() -> vm.generate());
                assertFalse(fx(() -> vm.busyProperty().get()), where + ": Generate did not start");
                assertTrue(fx(() -> vm.lastErrorProperty().get()).contains("enter a"), fx(() -> vm.lastErrorProperty().get()));
            }
            // a valid value typed key by key is committed as shown
            robot.clickOn(spinner.getEditor());
            fxRun(() -> spinner.getEditor().clear());
            robot.write(f.valid());
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(f.valid(), fx(spinner.getEditor()::getText), f.id() + ": typed text is not rewritten");
            assertFalse(fx(() -> spinner.getStyleClass().contains(NumberField.INVALID)), f.id() + " valid again");
            assertEquals(f.validValue(), fx(f.vmValue()::get), f.id() + ": the view model holds the value shown");
            for (String text : f.alsoValid()) {
                fxRun(() -> spinner.getEditor().setText(text));
                assertFalse(fx(() -> spinner.getStyleClass().contains(NumberField.INVALID)), f.id() + " takes " + text);
                assertEquals(Double.parseDouble(text), fx(f.vmValue()::get).doubleValue(), f.id() + " holds " + text);
                fxRun(() -> spinner.getEditor().setText(f.valid()));
            }
            assertNull(fx(() -> vm.inputProblemProperty().get()));
            assertFalse(robot.lookup("#generate-button").queryButton().isDisabled(), f.id() + ": Generate enabled again");
        }
        assertTrue(uncaught.isEmpty(), "no exception on the FX thread: " + uncaught);
    }

    @Test
    void aRunUsesTheValuesShown(FxRobot robot) throws Exception {
        awaitIdle(vm);
        Spinner<?> maxTokens = robot.lookup("#max-tokens-spinner").queryAs(Spinner.class);
        robot.clickOn(maxTokens.getEditor());
        fxRun(() -> maxTokens.getEditor().clear());
        robot.write("2x");
        assertTrue(robot.lookup("#generate-button").queryButton().isDisabled());
        robot.type(KeyCode.BACK_SPACE);
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        assertEquals(2, fx(() -> vm.maxNewTokensProperty().get()));
        // the prefill samples the first new token, one decode step the second
        assertEquals(2, fx(() -> vm.steps().size()), "the 2 new tokens the field shows");
        assertTrue(uncaught.isEmpty(), "no exception on the FX thread: " + uncaught);
    }
}
