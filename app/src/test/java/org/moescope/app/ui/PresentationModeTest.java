package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Control;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.CanvasSkin;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.PresentationMode;
import org.moescope.app.view.routing.ProbabilityBars;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Presentation mode: Ctrl + scales the text of the views and of the canvas charts, Ctrl 0 restores it; F11 shows
 * the current tab alone and full screen, Esc comes back; presenting at 1920 x 1080 after a run, no text of any tab is
 * below 18 px and none is cut short.
 */
@ExtendWith(ApplicationExtension.class)
class PresentationModeTest {
    private static final double MIN_PRESENTING_PX = 18;
    private MainWindow window;
    private SessionViewModel vm;
    private Stage stage;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @BeforeEach
    void modelLoaded() throws Exception {
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the model loads without error");
    }

    @Test
    void ctrlPlusScalesTheTextOfViewsAndChartsAndCtrlZeroRestoresIt(FxRobot robot) throws Exception {
        fxRun(() -> window.tabs().getSelectionModel().select(2));
        double[] before = sizes();
        robot.press(KeyCode.CONTROL, KeyCode.EQUALS).release(KeyCode.EQUALS, KeyCode.CONTROL);
        robot.press(KeyCode.CONTROL, KeyCode.EQUALS).release(KeyCode.EQUALS, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        double[] larger = sizes();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i] * 1.3, larger[i], 0.05, what(i) + " after Ctrl + twice (text scale 1.3)");
        }
        robot.press(KeyCode.CONTROL, KeyCode.MINUS).release(KeyCode.MINUS, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before[0] * 1.15, sizes()[0], 0.05, "Ctrl - goes one step back");
        robot.press(KeyCode.CONTROL, KeyCode.DIGIT0).release(KeyCode.DIGIT0, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        double[] restored = sizes();
        for (int i = 0; i < before.length; i++) {
            assertEquals(before[i], restored[i], 1e-6, what(i) + " after Ctrl 0");
        }
    }

    @Test
    void f11ShowsTheTabAloneFullScreenAndEscComesBack(FxRobot robot) throws Exception {
        Node runPanel = fx(window::getLeft);
        Node menuBar = fx(() -> window.lookup("#menu-bar"));
        fxRun(() -> window.tabs().getSelectionModel().select(1));
        robot.press(KeyCode.F11).release(KeyCode.F11);
        WaitForAsyncUtils.waitForFxEvents();
        try {
            assertTrue(fx(() -> window.presentation().presentingProperty().get()), "F11 presents");
            assertNull(fx(window::getLeft), "no run panel");
            assertFalse(fx(menuBar::isVisible), "no menu bar");
            assertTrue(fx(stage::isFullScreen), "full screen");
            assertEquals(PresentationMode.PRESENTING_FONT_SIZE, fx(() -> label().getFont().getSize()), 1e-6, "large type");
            assertEquals(1, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()), "the same tab");

            robot.press(KeyCode.ESCAPE).release(KeyCode.ESCAPE);
            WaitForAsyncUtils.waitForFxEvents();
            assertFalse(fx(() -> window.presentation().presentingProperty().get()), "Esc leaves");
            assertSame(runPanel, fx(window::getLeft), "the run panel is back");
            assertTrue(fx(menuBar::isVisible), "the menu bar is back");
            assertFalse(fx(stage::isFullScreen), "out of full screen");
            assertEquals(PresentationMode.NORMAL_FONT_SIZE, fx(() -> label().getFont().getSize()), 1e-6, "normal type");

            // keyboard only: with the menu bar hidden, its keys still switch tabs, and F11 leaves as it came
            robot.press(KeyCode.F11).release(KeyCode.F11);
            robot.press(KeyCode.CONTROL, KeyCode.DIGIT3).release(KeyCode.DIGIT3, KeyCode.CONTROL);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(2, fx(() -> window.tabs().getSelectionModel().getSelectedIndex()), "Ctrl 3 while presenting");
            robot.press(KeyCode.F11).release(KeyCode.F11);
            WaitForAsyncUtils.waitForFxEvents();
            assertFalse(fx(() -> window.presentation().presentingProperty().get()), "F11 again leaves");
            assertSame(runPanel, fx(window::getLeft));
        } finally {
            fxRun(() -> window.presentation().presentingProperty().set(false));
        }
    }

    @Test
    void presentingAt1920x1080NoTextIsBelow18pxOrCutShort() throws Exception {
        fxRun(() -> {
            vm.maxNewTokensProperty().set(24);
            vm.generate();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        WaitForAsyncUtils.waitFor(AppFixture.ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> window.timeline().isCurrent()));
        double width = fx(stage::getWidth);
        double height = fx(stage::getHeight);
        List<String> problems = new ArrayList<>();
        try {
            fxRun(() -> {
                // the window sized as a 1920 x 1080 projector (full screen would take the test screen's size)
                window.presentation().setFullScreen(false);
                window.presentation().presentingProperty().set(true);
                stage.setWidth(1920);
                stage.setHeight(1080);
            });
            fxRun(() -> window.routing().selectedRowProperty().set(3));
            problems.addAll(fx(this::unreadableTokens));
            for (int tab = 0; tab < window.tabs().getTabs().size(); tab++) {
                int t = tab;
                fxRun(() -> window.tabs().getSelectionModel().select(t));
                WaitForAsyncUtils.waitForFxEvents();
                problems.addAll(fx(() -> small(window.tabs().getTabs().get(t))));
            }
            assertEquals(1920, fx(() -> window.getScene().getWidth()), 1, "a 1920 px wide window");
        } finally {
            fxRun(() -> {
                window.presentation().presentingProperty().set(false);
                window.presentation().setFullScreen(true);
                stage.setWidth(width);
                stage.setHeight(height);
            });
        }
        assertTrue(problems.isEmpty(), "presenting at 1920 x 1080:\n  " + String.join("\n  ", problems));
    }

    /** Tokens of the coloured text whose text does not stand out from their expert's colour (WCAG: 3:1 at least). */
    private List<String> unreadableTokens() {
        List<String> out = new ArrayList<>();
        for (javafx.scene.control.Label token : window.routing().routedText().tokenLabels()) {
            if (token.getBackground() == null || token.getBackground().getFills().isEmpty()
                    || !(token.getTextFill() instanceof javafx.scene.paint.Color text)
                    || !(token.getBackground().getFills().get(0).getFill() instanceof javafx.scene.paint.Color back)) {
                continue;
            }
            double contrast = contrast(text, back);
            if (contrast < 3) {
                out.add(String.format(java.util.Locale.ROOT, "token '%s': text %s on %s, contrast %.1f:1",
                        token.getText(), text, back, contrast));
            }
        }
        return out;
    }

    private static double contrast(javafx.scene.paint.Color a, javafx.scene.paint.Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(javafx.scene.paint.Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(double v) {
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }

    /** Text under 18 px, labels shown cut short, and canvas charts drawing under 18 px, in a tab. */
    private static List<String> small(javafx.scene.control.Tab tab) {
        List<String> out = new ArrayList<>();
        String where = tab.getText() + " tab: ";
        ShownNumbers.walk(tab.getContent(), n -> {
            if (!ShownNumbers.treeVisible(n)) {
                return;
            }
            if (n instanceof Text t && !t.getText().isBlank() && t.getFont().getSize() < MIN_PRESENTING_PX - 0.01) {
                out.add(where + String.format(Locale.ROOT, "'%s' at %.1f px (%s)", t.getText(), t.getFont().getSize(),
                        t.getParent() == null ? "" : t.getParent().getClass().getSimpleName()));
            }
            if (n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty()) {
                for (Node child : l.getChildrenUnmodifiable()) {
                    if (child instanceof Text t && child.getClass().getName().equals("com.sun.javafx.scene.control.LabeledText")
                            && !t.getText().equals(l.getText()) && t.getText().endsWith(l.getEllipsisString())) {
                        out.add(where + "'" + l.getText() + "' cut to '" + t.getText() + "'");
                    }
                }
            }
            if (n instanceof ProbabilityBars bars && bars.textSize() < MIN_PRESENTING_PX - 0.01) {
                out.add(where + "the probability bars draw their text at " + bars.textSize() + " px");
            }
            if (n instanceof Control c && c.getSkin() instanceof CanvasSkin<?> skin
                    && skin.font().getSize() < MIN_PRESENTING_PX - 0.01) {
                out.add(where + c.getClass().getSimpleName() + " draws its text at " + skin.font().getSize() + " px");
            }
        });
        return out;
    }

    private Label label() {
        return (Label) window.lookup("#status-label");
    }

    /** The status label's, the flame chart's and the token heatmap's text sizes. */
    private double[] sizes() throws Exception {
        return fx(() -> new double[] {label().getFont().getSize(),
                ((CanvasSkin<?>) window.timeline().flameChart().getSkin()).font().getSize(),
                ((CanvasSkin<?>) window.routing().tokenHeatmap().getSkin()).font().getSize()});
    }

    private static String what(int i) {
        return List.of("the status label", "the flame chart's text", "the heatmap's labels").get(i);
    }
}
