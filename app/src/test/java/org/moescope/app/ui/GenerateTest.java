package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.List;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The app starts on the bundled sample model; Generate streams text and records profiled steps; switches apply per step. */
@ExtendWith(ApplicationExtension.class)
class GenerateTest {
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @BeforeEach
    void modelLoaded() throws Exception {
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the model loads without error");
    }

    @Test
    void startsOnTheSampleModel(FxRobot robot) throws Exception {
        ModelConfig config = fx(() -> vm.configProperty().get());
        assertTrue(config.numHiddenLayers() > 0);
        assertEquals("sample-weights", fx(() -> vm.modelNameProperty().get()), "no model argument: the bundled sample model");
        assertTrue(fx(() -> vm.hasTokenizerProperty().get()), "the sample model has its tokenizer");
        String info = robot.lookup(".model-info").queryLabeled().getText();
        assertTrue(info.contains(config.numHiddenLayers() + " layers"), info);
        assertFalse(robot.lookup("#generate-button").queryButton().isDisabled());
    }

    @Test
    void generateStreamsTextAndRecordsEveryStageOfEveryLayer(FxRobot robot) throws Exception {
        fxRun(() -> vm.maxNewTokensProperty().set(3));
        String prompt = fx(() -> vm.promptProperty().get());
        robot.clickOn("#generate-button");
        awaitIdle(vm);

        assertNull(fx(() -> vm.lastErrorProperty().get()));
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        ModelConfig config = fx(() -> vm.configProperty().get());
        assertTrue(steps.size() >= 2, "prefill and at least one decode step, got " + steps.size());
        assertEquals(Phase.PREFILL, steps.get(0).phase());
        assertTrue(steps.get(steps.size() - 1).finished());
        int generated = 0;
        for (int i = 0; i < steps.size(); i++) {
            StepResult step = steps.get(i);
            assertEquals(i, step.step());
            if (i > 0) {
                assertEquals(Phase.DECODE, step.phase());
            }
            generated += step.newTokens().length;
            StageExpectations.assertEveryStageOfEveryLayer(config, step);
        }
        assertTrue(generated >= 1 && generated <= 3, "tokens within the budget: " + generated);
        List<org.moescope.engine.profile.StageSpan> recorded = new java.util.ArrayList<>();
        steps.forEach(s -> recorded.addAll(s.spans()));
        assertEquals(recorded, fx(() -> window.timeline().spans()), "the flame chart holds every recorded span");
        String text = robot.lookup("#output-text").queryAs(TextArea.class).getText();
        StringBuilder expected = new StringBuilder(prompt);
        boolean tokenizer = fx(() -> vm.hasTokenizerProperty().get());
        // without a tokenizer the app shows the new token ids, as the prompt is ids
        steps.forEach(s -> expected.append(tokenizer ? s.newText()[0] : " " + s.newTokens()[0]));
        assertEquals(expected.toString(), text, "the text view holds the prompt and every new piece");
    }

    @Test
    void theKvCacheChoiceReachesTheRunAndAnF16RunGeneratesLikeF32(FxRobot robot) throws Exception {
        fxRun(() -> vm.maxNewTokensProperty().set(4));
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        List<StepResult> f32 = fx(() -> List.copyOf(vm.steps()));

        @SuppressWarnings("unchecked")
        javafx.scene.control.ChoiceBox<org.moescope.engine.backend.DType> choice =
                robot.lookup("#kv-cache-choice").queryAs(javafx.scene.control.ChoiceBox.class);
        assertEquals(org.moescope.engine.backend.DType.F32, fx(choice::getValue), "F32 unless chosen");
        fxRun(() -> choice.setValue(org.moescope.engine.backend.DType.F16));
        assertEquals(org.moescope.engine.backend.DType.F16, fx(() -> vm.kvCacheDTypeProperty().get()));
        List<String> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
        fxRun(() -> vm.statusProperty().addListener((o, was, is) -> statuses.add(is)));
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertTrue(statuses.contains("Prefill (KV cache F16)"), "the run was asked for F16 caches: " + statuses);
        List<StepResult> f16 = fx(() -> List.copyOf(vm.steps()));
        assertEquals(f32.size(), f16.size());
        for (int i = 0; i < f32.size(); i++) {
            // the sample model's greedy tokens do not move for a rounding of the cache this small
            assertEquals(java.util.Arrays.toString(f32.get(i).newTokens()), java.util.Arrays.toString(f16.get(i).newTokens()),
                    "step " + i);
        }
    }

    @Test
    void flippingASwitchChangesTheNextStepOnly(FxRobot robot) throws Exception {
        fxRun(() -> {
            vm.maxNewTokensProperty().set(8);
            vm.fusedGateUpSiluProperty().set(true);
        });
        robot.clickOn("#prefill-button");
        awaitIdle(vm);
        robot.clickOn("#step-button");
        awaitIdle(vm);
        robot.clickOn(robot.lookup("#fused-switch .thumb-area").queryAs(javafx.scene.Node.class));
        assertFalse(fx(() -> vm.fusedGateUpSiluProperty().get()), "the toggle drives the view model");
        robot.clickOn("#step-button");
        awaitIdle(vm);

        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        assertEquals(3, steps.size());
        StepResult fused = steps.get(1);
        StepResult unfused = steps.get(2);
        assertTrue(fused.options().fusedGateUpSilu());
        assertFalse(unfused.options().fusedGateUpSilu());
        int moeLayer = firstMoeLayer(fx(() -> vm.configProperty().get()));
        assertTrue(StageExpectations.stages(fused, moeLayer, "moe").contains("gate_up_silu"));
        assertFalse(StageExpectations.stages(fused, moeLayer, "moe").contains("silu"));
        assertTrue(StageExpectations.stages(unfused, moeLayer, "moe").containsAll(List.of("gate", "up", "silu")));
        assertFalse(StageExpectations.stages(unfused, moeLayer, "moe").contains("gate_up_silu"));
        assertTrue(fused.options().profiling() && unfused.options().profiling());
    }

    private static int firstMoeLayer(ModelConfig config) {
        for (int l = 0; l < config.numHiddenLayers(); l++) {
            if (config.isMoeLayer(l)) {
                return l;
            }
        }
        throw new AssertionError("the test model has no MoE layer");
    }
}
