package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.paint.Color;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.HelpSheet;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * No text of the views is cut at the default window size: after a run on the sample model, no visible label or
 * table cell of the tabs, nor of the F1 sheet, shows its text shortened with an ellipsis; the coloured text keeps a
 * few lines; the tiles print each value once and at their size; the notification bar leaves the tab strip visible;
 * the dark theme's placeholder text can be read.
 */
@ExtendWith(ApplicationExtension.class)
class ClippedTextTest {
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
        assertEquals(AppPreferences.DEFAULT_WIDTH, fx(() -> window.getScene().getWidth()), "the default window size");
    }

    @Test
    void noLabelOfTheViewsIsElidedAfterARun() throws Exception {
        fxRun(() -> {
            vm.maxNewTokensProperty().set(40);
            vm.generate();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        WaitForAsyncUtils.waitFor(AppFixture.ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> window.timeline().isCurrent()));

        List<String> elided = new ArrayList<>();
        for (int tab = 0; tab < 3; tab++) {
            elided.addAll(elidedInTab(tab));
        }
        // the inspector of a prompt token (all its tables filled)
        fxRun(() -> window.routing().selectedRowProperty().set(3));
        elided.addAll(elidedInTab(2));

        fxRun(() -> {
            vm.maxNewTokensProperty().set(4);
            window.compare().set(MoeOptions.DEFAULT, MoeOptions.DEFAULT.withDirectDispatch(true), 1, false);
            window.compare().run();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        elided.addAll(elidedInTab(3));
        elided.addAll(fx(() -> elided("run panel", window.runPanel())));

        fxRun(window::showHelp);
        Window help = fx(() -> Window.getWindows().stream()
                .filter(w -> w.getScene() != null && w.getScene().getRoot() instanceof javafx.scene.control.DialogPane)
                .findFirst().orElseThrow());
        WaitForAsyncUtils.waitForFxEvents();
        elided.addAll(fx(() -> elided("F1 sheet", help.getScene().getRoot())));
        HelpSheet sheet = fx(() -> (HelpSheet) help.getScene().getRoot().lookup(".help-sheet-scroll"));
        List<String> sheetTexts = fx(() -> sheet.getContent().lookupAll(".label").stream()
                .map(n -> ((Labeled) n).getText()).toList());
        for (String[] key : org.moescope.app.view.Shortcut.TEACHING_KEYS) {
            assertTrue(sheetTexts.contains(key[1]), "the F1 sheet lists the Teaching tab's key for '" + key[1] + "'");
        }
        double[] viewport = fx(() -> new double[] {sheet.getViewportBounds().getHeight(), sheet.getContent().getBoundsInLocal().getHeight()});
        fxRun(help::hide);

        assertTrue(elided.isEmpty(), "labels shown cut short:\n  " + String.join("\n  ", elided));
        assertTrue(viewport[0] >= viewport[1] - 0.5, "the F1 sheet shows every row: viewport " + viewport[0]
                + " px for " + viewport[1] + " px of rows");
    }

    @Test
    void tilesPrintEachValueOnceAtTheirSize() throws Exception {
        fxRun(() -> {
            vm.maxNewTokensProperty().set(3);
            vm.generate();
        });
        awaitIdle(vm);
        WaitForAsyncUtils.waitForFxEvents();
        List<String> share = fx(() -> ShownNumbers.numbers(window.output().tiles().moeShare()));
        assertEquals(1, share.size(), "the MoE share tile prints its value once: " + share);
        for (String id : List.of("#tile-prefill", "#tile-tokens-per-second")) {
            double[] sizes = fx(() -> {
                Node tile = window.lookup(id);
                double biggest = ShownNumbers.texts(tile).stream().mapToDouble(t -> t.getFont().getSize()).max().orElse(0);
                return new double[] {biggest, tile.getLayoutBounds().getHeight()};
            });
            assertTrue(sizes[0] >= sizes[1] * 0.15, id + ": the value is printed large (font " + sizes[0]
                    + " px in a tile " + sizes[1] + " px high)");
        }
    }

    @Test
    void theColouredTextKeepsSeveralLinesInALowWindow() throws Exception {
        Window stage = fx(() -> window.getScene().getWindow());
        double height = fx(stage::getHeight);
        try {
            fxRun(() -> {
                stage.setHeight(560);
                window.tabs().getSelectionModel().select(2);
                vm.maxNewTokensProperty().set(40);
                vm.generate();
            });
            awaitIdle(vm);
            fxRun(() -> window.routing().selectedRowProperty().set(3));
            double[] heights = fx(() -> {
                ScrollPane scroll = (ScrollPane) window.lookup("#routed-text-scroll");
                double line = window.routing().routedText().tokenLabels().get(0).getHeight();
                return new double[] {scroll.getViewportBounds().getHeight(), line};
            });
            assertTrue(heights[0] >= 3 * heights[1], "the coloured text shows at least three lines: viewport "
                    + heights[0] + " px, a line " + heights[1] + " px");
        } finally {
            // the stage is shared by the test classes that follow
            fxRun(() -> stage.setHeight(height));
        }
    }

    @Test
    void theNotificationBarLeavesTheTabStripVisible() throws Exception {
        fxRun(() -> {
            vm.modelProperty().set("/nonexistent/moescope-model");
            vm.loadModel();
        });
        awaitIdle(vm);
        Node bar = fx(() -> window.notifications().lookup(".notification-bar"));
        // the bar slides in; wait until it is all in view (a watchdog, not a timing assertion)
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> fx(() -> bar.getLayoutY() + bar.getTranslateY() >= -0.5));
        WaitForAsyncUtils.waitForFxEvents();
        double[] y = fx(() -> {
            Bounds barBounds = bar.localToScene(bar.getLayoutBounds()); // its box, without the shadow
            // the main tabs' own strip (the routing tab holds a tab pane of its own)
            Node header = window.tabs().getChildrenUnmodifiable().stream()
                    .filter(n -> n.getStyleClass().contains("tab-header-area")).findFirst().orElseThrow();
            Bounds strip = header.localToScene(header.getLayoutBounds());
            return new double[] {barBounds.getMaxY(), strip.getMinY()};
        });
        assertTrue(y[1] >= y[0] - 0.5, "the tab strip starts at y=" + y[1] + ", under the bar that ends at y=" + y[0]);
    }

    @Test
    void theDarkThemesPlaceholderTextCanBeRead() throws Exception {
        fxRun(() -> {
            window.darkThemeProperty().set(true);
            ((TextField) window.lookup("#model-field")).setText("");
        });
        double contrast = fx(() -> {
            TextField field = (TextField) window.lookup("#model-field");
            Text prompt = ShownNumbers.texts(field).stream().filter(t -> t.getText().equals(field.getPromptText()))
                    .findFirst().orElseThrow(() -> new AssertionError("no prompt text shown in the model field"));
            Color fill = (Color) prompt.getFill();
            Color background = Color.web("#23262c"); // the dark theme's -fx-control-inner-background
            return contrastRatio(fill, background);
        });
        assertTrue(contrast >= 3, "placeholder text contrast " + contrast + ":1 (WCAG asks 3:1 at least)");
    }

    private List<String> elidedInTab(int tab) throws Exception {
        fxRun(() -> window.tabs().getSelectionModel().select(tab));
        WaitForAsyncUtils.waitForFxEvents();
        return fx(() -> elided(window.tabs().getTabs().get(tab).getText() + " tab", window.tabs().getTabs().get(tab).getContent()));
    }

    /** Visible labels under {@code root} whose shown text is their text cut short with the ellipsis. */
    private static List<String> elided(String where, Node root) {
        List<String> out = new ArrayList<>();
        ShownNumbers.walk(root, n -> {
            if (n instanceof Labeled l && ShownNumbers.treeVisible(l) && l.getText() != null && !l.getText().isEmpty()) {
                String shown = shownText(l);
                if (shown != null && !shown.equals(l.getText()) && shown.endsWith(l.getEllipsisString())) {
                    out.add(where + ": " + describe(l) + " '" + l.getText() + "' shown as '" + shown + "'");
                }
            }
        });
        return out;
    }

    /** The text its skin draws (the LabeledText child), or null before it has a skin. */
    private static String shownText(Labeled l) {
        for (Node child : l.getChildrenUnmodifiable()) {
            if (child instanceof Text t && child.getClass().getName().equals("com.sun.javafx.scene.control.LabeledText")) {
                return t.getText();
            }
        }
        return null;
    }

    private static String describe(Labeled l) {
        String name = l.getClass().getSimpleName().isEmpty() ? l.getClass().getSuperclass().getSimpleName()
                : l.getClass().getSimpleName();
        return name + (l.getId() != null ? "#" + l.getId() : "") + l.getStyleClass();
    }

    private static double contrastRatio(Color a, Color b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(Color c) {
        return 0.2126 * linear(c.getRed()) + 0.7152 * linear(c.getGreen()) + 0.0722 * linear(c.getBlue());
    }

    private static double linear(double v) {
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }
}
