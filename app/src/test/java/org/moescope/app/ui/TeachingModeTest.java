package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.Arrays;
import java.util.List;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.flame.FlameBox;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.app.view.teach.NumberText;
import org.moescope.app.view.teach.TeachingView;
import org.moescope.app.view.teach.TeachingWalk;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * Teaching mode in the real app on the sample model: after a run, the walk of a token is reached from the View menu's
 * shortcut and from the token inspector, every stop is reached with the keyboard forward and back, the numbers on
 * screen are the traced run's, the phase list jumps, and the kernel timing link selects the step's MoE block in the
 * timeline.
 */
@ExtendWith(ApplicationExtension.class)
class TeachingModeTest {
    private MainWindow window;
    private SessionViewModel vm;
    private TeachingView view;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
        view = window.teaching();
    }

    @BeforeEach
    void run(FxRobot robot) throws Exception {
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the model loads without error");
        fxRun(() -> vm.maxNewTokensProperty().set(3));
        robot.clickOn("#generate-button");
        awaitIdle(vm);
        assertTrue(fx(() -> vm.steps().size()) >= 2, "a prefill and a decode step");
    }

    @Test
    void walksEveryStopWithTheKeyboardAndShowsTheRunsNumbers(FxRobot robot) throws Exception {
        robot.press(KeyCode.CONTROL, KeyCode.SHIFT, KeyCode.W).release(KeyCode.W, KeyCode.SHIFT, KeyCode.CONTROL);
        assertSame(view, fx(() -> window.tabs().getSelectionModel().getSelectedItem().getContent()));
        // the defaults: the first decode step, the first MoE layer, its only token; Up picks the next MoE layer, Enter
        // traces
        robot.clickOn("#teach-layer");
        robot.type(KeyCode.UP);
        robot.type(KeyCode.ENTER);
        awaitIdle(vm);
        TeachingWalk walk = fx(view::walk);
        assertNotNull(walk, "Enter traced the chosen token");
        MoeTokenTrace t = walk.trace();
        assertEquals(List.of(1, 1, 0), List.of(t.step(), t.layer(), t.row()));
        assertTraceIsTheRuns(t);

        assertEquals(0, (int) fx(view::index));
        for (int i = 1; i < walk.size(); i++) {
            robot.type(i % 2 == 0 ? KeyCode.SPACE : KeyCode.RIGHT);
            assertEquals(i, (int) fx(view::index), "forward to stop " + i);
            assertEquals(walk.phases().get(i).title(), robot.lookup("#teach-title").queryAs(Label.class).getText());
            assertEquals((i + 1) + " / " + walk.size(), robot.lookup("#teach-position").queryAs(Label.class).getText());
        }
        robot.type(KeyCode.SPACE);
        assertEquals(walk.size() - 1, (int) fx(view::index), "the walk stops at its end");
        for (int i = walk.size() - 2; i >= 0; i--) {
            switch (i % 3) {
                case 0 -> robot.type(KeyCode.BACK_SPACE);
                case 1 -> robot.press(KeyCode.SHIFT).type(KeyCode.SPACE).release(KeyCode.SHIFT);
                default -> robot.type(KeyCode.LEFT);
            }
            assertEquals(i, (int) fx(view::index), "back to stop " + i);
        }
        robot.type(KeyCode.END);
        assertEquals(walk.size() - 1, (int) fx(view::index));
        robot.type(KeyCode.HOME);
        assertEquals(0, (int) fx(view::index));

        // the numbers on screen: the router logits and the first expert's gate, up, act and down of this run
        robot.clickOn(walk.indexOf("logits") + 1 + ". Router logits");
        assertEquals(walk.indexOf("logits"), (int) fx(view::index), "the phase list jumps");
        assertShown(fx(view::shownLines).get(0), t.logits());
        int expert = walk.indexOf("expert-0");
        fxRun(() -> view.go(expert));
        List<List<String>> lines = fx(view::shownLines);
        assertShown(lines.get(0), t.experts().get(0).gate());
        assertShown(lines.get(1), t.experts().get(0).up());
        assertShown(lines.get(2), t.experts().get(0).act());
        assertShown(lines.get(3), t.experts().get(0).down());
        // every number on the page says what it is when hovered
        List<Label> numbers = fx(() -> robot.lookup("#teach-lines .walk-number").queryAllAs(Label.class).stream().toList());
        assertTrue(numbers.size() >= 4 * (NumberText.PREVIEW + 1), "the expert's numbers are on screen");
        for (Label n : numbers) {
            assertNotNull(n.getTooltip(), n.getText());
            assertTrue(n.getTooltip().getText().length() > 10, n.getTooltip().getText());
        }

        // K: the kernel timing of this step's MoE block at this layer
        robot.type(KeyCode.K);
        assertSame(window.timeline(), fx(() -> window.tabs().getSelectionModel().getSelectedItem().getContent()));
        FlameBox box = fx(() -> window.timeline().flameChart().selectedBoxProperty().get());
        assertNotNull(box, "a box is selected in the flame chart");
        StageSpan span = fx(() -> window.timeline().flameChart().getLayout().firstSpan(box.depth(), box.index()));
        assertEquals(List.of(t.step(), t.layer(), "moe"), List.of(span.step(), span.layer(), span.block()));
    }

    @Test
    void walksThroughTheTokenSelectedInTheInspector(FxRobot robot) throws Exception {
        fxRun(() -> window.tabs().getSelectionModel().select(2));
        RoutingRun run = fx(() -> window.routing().run());
        int row = 2; // a prompt token: the prefill walk
        RoutingRun.TokenRow token = run.rows().get(row);
        fxRun(() -> {
            window.routing().selectedRowProperty().set(row);
            window.routing().layerIndexProperty().set(1);
        });
        robot.clickOn("#inspector-walk-through");
        awaitIdle(vm);
        assertSame(view, fx(() -> window.tabs().getSelectionModel().getSelectedItem().getContent()));
        MoeTokenTrace t = fx(view::walk).trace();
        assertEquals(List.of(token.step(), run.layers()[1], token.rowInStep()), List.of(t.step(), t.layer(), t.row()));
        assertTraceIsTheRuns(t);
        assertTrue(fx(view::walk).indexOf("tiles") > 0, "a prompt token's walk shows the grouped GEMM tiles");

        // a new run: the walk of the old one goes
        fxRun(vm::prefill);
        awaitIdle(vm);
        assertNull(fx(view::walk), "the walk of a run that is gone is not shown");
        assertTrue(fx(view::shownLines).isEmpty());
    }

    /** The traced routing is what the run recorded for that token and layer. */
    private void assertTraceIsTheRuns(MoeTokenTrace t) throws Exception {
        StepResult step = fx(() -> vm.steps().get(t.step()));
        LayerRouting recorded = step.routing().layers().stream().filter(l -> l.layer() == t.layer()).findFirst()
                .orElseThrow();
        int k = recorded.k();
        assertArrayEquals(Arrays.copyOfRange(recorded.ids(), t.row() * k, t.row() * k + k),
                t.experts().stream().mapToInt(MoeTokenTrace.ExpertPass::expert).toArray());
        assertEquals(step.routing().tokenIds()[t.row()], t.tokenId());
    }

    /** A vector line on screen: its first elements and its norm are the trace's, as the walk formats them. */
    private static void assertShown(List<String> cells, float[] v) {
        int first = cells.indexOf("[") + 1;
        int shown = v.length <= NumberText.SHOWN_WHOLE ? v.length : NumberText.PREVIEW;
        for (int i = 0; i < shown; i++) {
            assertEquals(NumberText.format(v[i]), cells.get(first + i), "element " + i + " of " + cells);
        }
        assertEquals(NumberText.format(NumberText.norm(v)), cells.get(cells.size() - 1), "norm of " + cells);
    }
}
