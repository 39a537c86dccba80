package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A bad model folder is reported in the window, and the app goes on working. */
@ExtendWith(ApplicationExtension.class)
class ErrorHandlingTest {
    @TempDir
    Path notAModel;

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @Test
    void badModelFolderShowsAnErrorAndTheAppStaysUsable(FxRobot robot) throws Exception {
        awaitIdle(vm);
        Files.writeString(notAModel.resolve("README.txt"), "no config.json here");
        fxRun(() -> robot.lookup("#model-field").queryTextInputControl().setText(notAModel.toString()));
        robot.clickOn("#load-button");
        awaitIdle(vm);

        String error = fx(() -> vm.lastErrorProperty().get());
        assertNotNull(error, "a failed load reports an error");
        assertTrue(error.startsWith("Loading the model failed"), error);
        assertTrue(fx(() -> window.notifications().isShowing()), "the notification bar shows it");
        assertEquals(error, fx(() -> window.notifications().getText()));
        assertEquals(error, robot.lookup("#status-label").queryLabeled().getText());
        assertNotNull(fx(() -> vm.configProperty().get()), "the model loaded before stays loaded");

        fxRun(() -> robot.lookup("#model-field").queryTextInputControl().setText(AppFixture.smallModel()));
        robot.clickOn("#load-button");
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertFalse(fx(() -> window.notifications().isShowing()), "the error goes away with the next task");
        fxRun(() -> vm.maxNewTokensProperty().set(2));
        robot.clickOn("#prefill-button");
        awaitIdle(vm);
        assertEquals(1, fx(() -> vm.steps().size()), "the app runs the next model");
    }

    @Test
    void emptyPromptIsRefusedWithAMessage(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.promptProperty().set(""));
        robot.clickOn("#prefill-button");
        awaitIdle(vm);
        assertTrue(fx(() -> vm.lastErrorProperty().get()).contains("prompt is empty"));
        assertEquals(0, fx(() -> vm.steps().size()));
    }
}
