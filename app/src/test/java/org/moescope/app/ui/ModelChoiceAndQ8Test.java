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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.controlsfx.control.ToggleSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.backend.DType;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Q8 activations switch in the real window (toggle, menu key, A/B preset, the model line's weight types), and
 * choosing a model by path: a drop of a folder or a .gguf file on the window, refused drops, the recent list.
 */
@ExtendWith(ApplicationExtension.class)
class ModelChoiceAndQ8Test {
    /** The Hugging Face tiny checkpoint the engine's tests use (surefire runs in the module folder). */
    private static final Path HF_TINY =
            Path.of("../engine-opencl/src/test/resources/org/moescope/engine/hf-qwen3moe-tiny").toAbsolutePath().normalize();
    /** A GGUF file written and quantized by ggml: a Q4_K_M-like mix (Q4_K, with down, attn_v and output in Q6_K). */
    private static final Path GGUF =
            Path.of("../engine-opencl/src/test/resources/org/moescope/engine/gguf/gguf-tiny-k/model.gguf")
                    .toAbsolutePath().normalize();

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @Test
    void theQ8ToggleIsLiveAndSaysItChangesNothingOnTheFloatSample(FxRobot robot) throws Exception {
        awaitIdle(vm);
        String info = robot.lookup(".model-info").queryLabeled().getText();
        assertTrue(info.contains("experts BF16"), info);
        assertTrue(info.contains("attention BF16"), info);
        ToggleSwitch toggle = robot.lookup("#q8-activations-switch").queryAs(ToggleSwitch.class);
        String tip = fx(() -> toggle.getTooltip().getText());
        assertTrue(tip.contains("changes nothing"), tip);
        assertTrue(tip.contains("This model's experts are BF16"), tip);
        assertFalse(fx(() -> vm.switches().q8Activations()), "off by default");

        robot.clickOn(robot.lookup("#q8-activations-switch .thumb-area").queryAs(javafx.scene.Node.class));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(fx(() -> vm.q8ActivationsProperty().get()));
        assertTrue(fx(() -> vm.switches().q8Activations()));

        fxRun(() -> {
            vm.maxNewTokensProperty().set(2);
            vm.generate();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        assertFalse(steps.isEmpty());
        for (StepResult step : steps) {
            assertTrue(step.options().q8Activations(), "the steps ran with the switch on");
            assertFalse(step.spans().isEmpty());
            for (StageSpan span : step.spans()) {
                assertFalse(span.stage().contains("q8"), "float experts take float activations: " + span.stage());
            }
        }

        // the stage table counts the weights each MoE stage read in their stored type (BF16: 2 bytes a weight)
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(fx(() -> window.timeline().isCurrent()));
        var config = fx(() -> vm.configProperty().get());
        var rows = fx(() -> window.timeline().stageTable().summary().rows());
        var router = rows.stream().filter(r -> r.block().equals("moe") && r.stage().equals("router")).toList();
        assertFalse(router.isEmpty());
        var layerTypes = fx(() -> vm.weightTypesProperty().get().moeLayers().values().iterator().next());
        for (var r : router) {
            assertEquals(r.calls() * layerTypes.router().bytesOf((long) config.numExperts() * config.hiddenSize()),
                    r.weightBytes(), r.toString());
        }
        var fused = rows.stream().filter(r -> r.stage().equals("gate_up_silu")).findFirst().orElseThrow();
        assertEquals(DType.BF16, layerTypes.gate());
        long matrix = 2L * config.moeIntermediateSize() * config.hiddenSize();
        assertTrue(fused.meanWeightBytes() >= 2 * matrix && fused.meanWeightBytes() <= 2 * matrix * config.numExpertsPerTok(),
                "one decode token reads gate and up of 1 to k experts: " + fused);
        // the o projection reads its whole BF16 matrix per call; the attention over the cache reads no weights
        long oBytes = 2L * config.hiddenSize() * config.qDim();
        for (var r : rows.stream().filter(r -> r.block().equals("attention")).toList()) {
            switch (r.stage()) {
                case "o_proj" -> assertEquals(r.calls() * oBytes, r.weightBytes(), r.toString());
                case "qkv" -> assertTrue(r.weightBytes() > 0, r.toString());
                default -> assertTrue(r.weightBytes() < 0, r.toString());
            }
        }

        robot.press(KeyCode.ALT, KeyCode.DIGIT5).release(KeyCode.DIGIT5, KeyCode.ALT);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(() -> vm.q8ActivationsProperty().get()), "Alt+5 toggles Q8 activations");
        assertFalse(fx(toggle::isSelected));
    }

    @Test
    void theCompareHasAQ8ColumnAndPreset(FxRobot robot) throws Exception {
        awaitIdle(vm);
        robot.clickOn("#tab-compare .tab-label");
        robot.clickOn("#compare-preset-q8");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(() -> robot.lookup("#compare-A-q8").queryAs(CheckBox.class).isSelected()));
        assertTrue(fx(() -> robot.lookup("#compare-B-q8").queryAs(CheckBox.class).isSelected()));
        robot.clickOn("Indirect vs direct dispatch");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(() -> robot.lookup("#compare-B-q8").queryAs(CheckBox.class).isSelected()),
                "the other presets compare float activations");
    }

    @Test
    void aDroppedModelFolderLoadsAndHeadsTheRecentList(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertTrue(fx(() -> window.dropModel(List.of(HF_TINY.toFile()))));
        awaitIdle(vm);
        assertEquals(HF_TINY.toString(), fx(() -> vm.modelProperty().get()));
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertNotNull(fx(() -> vm.weightTypesProperty().get()));
        assertEquals(HF_TINY.toString(), fx(() -> vm.recentModels().get(0)));
        String info = robot.lookup(".model-info").queryLabeled().getText();
        assertTrue(info.contains(fx(() -> vm.weightTypesProperty().get().summary())), info);

        Menu recent = fx(() -> ((MenuBar) window.getTop()).getMenus().get(0).getItems().stream()
                .filter(i -> "menu-open-recent".equals(i.getId())).map(Menu.class::cast).findFirst().orElseThrow());
        assertEquals(HF_TINY.toString(), fx(() -> recent.getItems().get(0).getText()));
        assertFalse(fx(recent::isDisable));
        MenuButton presets = robot.lookup("#presets-button").queryAs(MenuButton.class);
        assertTrue(fx(() -> presets.getItems().stream().map(MenuItem::getText).anyMatch(("Recent: " + HF_TINY)::equals)));
    }

    @Test
    void aDroppedGgufFileBecomesTheModelAndOtherDropsAreRefused(FxRobot robot, @TempDir Path dir) throws Exception {
        awaitIdle(vm);
        String before = fx(() -> vm.modelProperty().get());
        Path notes = Files.writeString(dir.resolve("notes.txt"), "not a model");
        assertFalse(fx(() -> window.dropModel(List.of(notes.toFile()))), "a text file is no model");
        assertFalse(fx(() -> window.dropModel(List.of(GGUF.toFile(), HF_TINY.toFile()))), "two items: which one?");
        assertFalse(fx(() -> window.dropModel(List.of(dir.resolve("missing.gguf").toFile()))), "no such file");
        assertEquals(before, fx(() -> vm.modelProperty().get()), "refused drops leave the model alone");

        assertTrue(Files.isRegularFile(GGUF), GGUF.toString());
        // the engine is held so that the load is still queued while the second drop comes
        CountDownLatch engineHeld = AppFixture.holdEngine();
        try {
            assertTrue(fx(() -> window.dropModel(List.of(GGUF.toFile()))));
            assertEquals(GGUF.toString(), fx(() -> vm.modelProperty().get()), "the drop chose the GGUF file by its path");
            assertTrue(fx(() -> vm.loadingProperty().get()), "and started loading it");
            assertFalse(fx(() -> window.dropModel(List.of(HF_TINY.toFile()))), "no second drop while a load runs");
        } finally {
            engineHeld.countDown();
        }
        awaitIdle(vm);
        assertEquals(GGUF.toString(), fx(() -> vm.modelProperty().get()));
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the GGUF file loads");
        assertEquals(GGUF.toString(), fx(() -> vm.recentModels().get(0)), "and heads the recent list");
        String info = robot.lookup(".model-info").queryLabeled().getText();
        assertTrue(info.contains("experts Q4_K/Q6_K, attention Q4_K/Q6_K"), info);
        String tip = fx(() -> robot.lookup("#q8-activations-switch").queryAs(ToggleSwitch.class).getTooltip().getText());
        assertTrue(tip.contains("This model's experts are Q4_K/Q6_K: the switch applies."), tip);
    }

    @Test
    void onAQuantizedGgufTheQ8SwitchRunsItsStagesAndTheTableCountsStoredBytes(FxRobot robot) throws Exception {
        awaitIdle(vm);
        fxRun(() -> vm.openModel(GGUF));
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        fxRun(() -> {
            vm.q8ActivationsProperty().set(true);
            vm.maxNewTokensProperty().set(2);
            vm.promptProperty().set("1 2 3 4 5");
            vm.generate();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        List<StepResult> steps = fx(() -> List.copyOf(vm.steps()));
        for (StepResult step : steps) {
            List<String> layer0 = step.spans().stream().filter(s -> s.layer() == 0 && s.block().equals("moe"))
                    .map(StageSpan::stage).toList();
            List<String> expected = step.phase() == org.moescope.engine.profile.Phase.PREFILL
                    ? List.of("router", "route_ids", "quantize_q8", "gate_q8", "up_q8", "silu", "quantize_q8_down",
                            "down_q8", "wsum", "residual") // prefill adds the block's output to the residual apart
                    : List.of("router", "route", "quantize_q8", "gate_up_silu_q8", "quantize_q8_down", "down_q8", "wsum");
            assertEquals(expected, layer0, step.phase().label());
        }
        WaitForAsyncUtils.waitForFxEvents();
        var rows = fx(() -> window.timeline().stageTable().summary().rows());
        // gate and up of one 256 x 256 Q4_K expert: 256 blocks of 144 bytes each; decode (top-2) reads 1 or 2 experts
        long q4kMatrix = 256L * 144;
        var fused = rows.stream().filter(r -> r.stage().equals("gate_up_silu_q8")).findFirst().orElseThrow();
        assertTrue(fused.meanWeightBytes() >= 2 * q4kMatrix && fused.meanWeightBytes() <= 2 * 2 * q4kMatrix, fused.toString());
        assertEquals(0, fused.weightBytes() % (2 * q4kMatrix), "whole Q4_K matrices: " + fused);
        var quantize = rows.stream().filter(r -> r.stage().equals("quantize_q8")).findFirst().orElseThrow();
        assertEquals(0, quantize.weightBytes(), "quantizing activations reads no weights");
    }

    @Test
    void theBrowseMenuOffersAGgufFileAndAFolder(FxRobot robot) throws Exception {
        MenuButton browse = robot.lookup("#browse-button").queryAs(MenuButton.class);
        List<String> ids = fx(() -> browse.getItems().stream().map(MenuItem::getId).toList());
        assertEquals(List.of("open-gguf-item", "open-folder-item"), ids);
        List<String> fileMenu = fx(() -> ((MenuBar) window.getTop()).getMenus().get(0).getItems().stream()
                .map(MenuItem::getText).toList());
        assertTrue(fileMenu.contains("Open a GGUF model file…"), fileMenu.toString());
        assertTrue(fileMenu.contains("Open a model folder…"), fileMenu.toString());
    }
}
