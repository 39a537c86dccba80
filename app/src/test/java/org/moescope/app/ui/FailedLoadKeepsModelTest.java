package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.service.PromptTokens;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.model.ModelConfig;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** A load that fails or is cancelled leaves the working model loaded; a synthetic preset gives the text prompt back. */
@ExtendWith(ApplicationExtension.class)
class FailedLoadKeepsModelTest {
    @TempDir
    Path dir;

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @BeforeEach
    void sampleLoaded() throws Exception {
        awaitIdle(vm);
        assertEquals("sample-weights", fx(() -> vm.modelNameProperty().get()));
    }

    @Test
    void aBadPathLeavesTheModelLoadedAndUsable(FxRobot robot) throws Exception {
        ModelConfig before = fx(() -> vm.configProperty().get());
        fxRun(() -> {
            vm.maxNewTokensProperty().set(2);
            vm.prefill();
        });
        awaitIdle(vm);
        assertEquals(1, fx(() -> vm.steps().size()));

        fxRun(() -> vm.modelProperty().set(dir.resolve("no-such-model").toString()));
        robot.clickOn("#load-button");
        awaitIdle(vm);
        String error = fx(() -> vm.lastErrorProperty().get());
        assertNotNull(error, "the failure is reported");
        assertTrue(error.endsWith("(sample-weights stays loaded)"), error);
        assertEquals(before, fx(() -> vm.configProperty().get()), "the model is still loaded");
        assertEquals("sample-weights", fx(() -> vm.modelNameProperty().get()));
        assertEquals(1, fx(() -> vm.steps().size()), "its run is still shown");
        assertFalse(robot.lookup("#generate-button").queryButton().isDisabled());

        // a folder that fails inside the engine's load, not before it
        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("config.json"), "{ not json");
        fxRun(() -> vm.modelProperty().set(broken.toString()));
        robot.clickOn("#load-button");
        awaitIdle(vm);
        assertTrue(fx(() -> vm.lastErrorProperty().get()).endsWith("(sample-weights stays loaded)"),
                fx(() -> vm.lastErrorProperty().get()));
        assertEquals(before, fx(() -> vm.configProperty().get()));

        robot.clickOn("#step-button");
        awaitIdle(vm);
        assertEquals(2, fx(() -> vm.steps().size()), "the run goes on where it was");
        fxRun(() -> vm.generate());
        awaitIdle(vm);
        assertEquals(null, fx(() -> vm.lastErrorProperty().get()), "the old session was not closed under the run");
    }

    @Test
    void aCancelledLoadKeepsTheModel(FxRobot robot) throws Exception {
        CountDownLatch engineHeld = AppFixture.holdEngine();
        try {
            fxRun(() -> {
                vm.modelProperty().set("qwen3-tiny");
                vm.loadModel();
            });
            robot.clickOn("#load-button");   // it reads Cancel during the load
        } finally {
            engineHeld.countDown();
        }
        awaitIdle(vm);
        assertEquals("Load cancelled: sample-weights stays loaded", fx(() -> vm.statusProperty().get()));
        assertEquals("sample-weights", fx(() -> vm.modelNameProperty().get()));
        assertTrue(fx(() -> vm.hasTokenizerProperty().get()));
        fxRun(() -> {
            vm.maxNewTokensProperty().set(2);
            vm.prefill();
        });
        awaitIdle(vm);
        assertEquals(1, fx(() -> vm.steps().size()), "the kept model runs");
        assertEquals(null, fx(() -> vm.lastErrorProperty().get()));
    }

    @Test
    void aPresetTakesIdsAndTheTextPromptComesBack(FxRobot robot) throws Exception {
        fxRun(() -> vm.promptProperty().set("My own words"));
        fxRun(() -> {
            vm.modelProperty().set("qwen3-tiny");
            vm.loadModel();
        });
        awaitIdle(vm);
        assertEquals("qwen3-tiny", fx(() -> vm.modelNameProperty().get()));
        String ids = fx(() -> vm.promptProperty().get());
        assertTrue(PromptTokens.isIdList(ids), "a model without a tokenizer takes token ids: " + ids);
        fxRun(() -> vm.promptProperty().set("5 6 7"));

        fxRun(() -> {
            vm.modelProperty().set(AppFixture.smallModel());
            vm.loadModel();
        });
        awaitIdle(vm);
        assertEquals("My own words", fx(() -> vm.promptProperty().get()), "the text prompt is back");

        fxRun(() -> {
            vm.modelProperty().set("qwen3-tiny");
            vm.loadModel();
        });
        awaitIdle(vm);
        assertEquals("5 6 7", fx(() -> vm.promptProperty().get()), "and the ids typed for the preset come back too");
    }
}
