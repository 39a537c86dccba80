package org.moescope.app.view;

import java.util.Locale;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.event.EventHandler;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumnBase;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import javafx.stage.Window;

/**
 * Presentation mode and the window's text size. Ctrl + / Ctrl − / Ctrl 0 scale the root font size, which every
 * stylesheet and the canvas-drawn charts follow (their sizes are in em). Presenting (F11) sets larger type and the
 * high-contrast stylesheet, shows the current tab full screen without the run panel and the menu bar (their keys keep
 * working), and Esc leaves.
 */
public final class PresentationMode {
    /** The root font size of the window, in px (app.css says the same). */
    public static final double NORMAL_FONT_SIZE = 13;
    /** The root font size when presenting, in px: no text of the views is smaller than about 18 px. */
    public static final double PRESENTING_FONT_SIZE = 20;
    /** Text scales Ctrl + and Ctrl − step through. */
    static final double[] SCALES = {0.8, 0.9, 1, 1.15, 1.3, 1.5, 1.75, 2, 2.5, 3};
    private static final String BASE_WIDTH = "moescope.baseWidth";
    private static final String STYLESHEET = "/org/moescope/app/assets/styles/presentation.css";

    private final BorderPane window;
    private final BooleanProperty presenting = new SimpleBooleanProperty(this, "presenting");
    private final DoubleProperty textScale = new SimpleDoubleProperty(this, "textScale", 1);
    private final EventHandler<KeyEvent> escapeLeaves = e -> {
        if (e.getCode() == KeyCode.ESCAPE) {
            presenting.set(false);
            e.consume();
        }
    };
    private Node hiddenLeft;
    private boolean fullScreen = true;

    /** {@code window}: the main window (the scene's root); its top is the menu bar, its left the run panel. */
    PresentationMode(BorderPane window) {
        this.window = window;
        textScale.addListener(o -> applyFontSize());
        presenting.addListener((o, was, on) -> apply(on));
        window.sceneProperty().addListener((o, was, scene) -> {
            if (scene != null) {
                installKeys(scene);
            }
        });
        applyFontSize();
    }

    /** Whether the window presents (large type, high contrast, the current tab alone, full screen). */
    public BooleanProperty presentingProperty() {
        return presenting;
    }

    /** The text size relative to normal (or to presenting's larger type). */
    public DoubleProperty textScaleProperty() {
        return textScale;
    }

    /** Whether presenting also makes the window full screen (on by default; tests and screenshots size it). */
    public void setFullScreen(boolean fullScreen) {
        this.fullScreen = fullScreen;
    }

    /** The root font size now, in px. */
    public double fontSize() {
        return (presenting.get() ? PRESENTING_FONT_SIZE : NORMAL_FONT_SIZE) * textScale.get();
    }

    public void toggle() {
        presenting.set(!presenting.get());
    }

    /** Ctrl +: the next larger text scale. */
    public void larger() {
        for (double s : SCALES) {
            if (s > textScale.get() + 1e-9) {
                textScale.set(s);
                return;
            }
        }
    }

    /** Ctrl −: the next smaller text scale. */
    public void smaller() {
        for (int i = SCALES.length - 1; i >= 0; i--) {
            if (SCALES[i] < textScale.get() - 1e-9) {
                textScale.set(SCALES[i]);
                return;
            }
        }
    }

    /** Ctrl 0: the normal text size. */
    public void actualSize() {
        textScale.set(1);
    }

    /**
     * Key combinations beside the menu's accelerators: Ctrl = and Ctrl Shift = (where + is on a US keyboard), and the
     * keypad's + − 0.
     */
    private void installKeys(Scene scene) {
        var keys = scene.getAccelerators();
        keys.put(new KeyCodeCombination(KeyCode.EQUALS, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_ANY), this::larger);
        keys.put(new KeyCodeCombination(KeyCode.ADD, KeyCombination.SHORTCUT_DOWN), this::larger);
        keys.put(new KeyCodeCombination(KeyCode.SUBTRACT, KeyCombination.SHORTCUT_DOWN), this::smaller);
        keys.put(new KeyCodeCombination(KeyCode.NUMPAD0, KeyCombination.SHORTCUT_DOWN), this::actualSize);
        // leaving full screen some other way (the window manager) leaves presenting too
        scene.windowProperty().addListener((o, was, w) -> {
            if (w instanceof Stage stage) {
                stage.fullScreenProperty().addListener((p, wasFull, full) -> {
                    if (!full && fullScreen && presenting.get()) {
                        presenting.set(false);
                    }
                });
            }
        });
    }

    private void applyFontSize() {
        // inline, so that it wins over the stylesheets' 13 px; every other size is in em of this one
        window.setStyle(String.format(Locale.ROOT, "-fx-font-size: %.2fpx;", fontSize()));
        scaleTableColumns(window, fontSize() / NORMAL_FONT_SIZE);
    }

    /**
     * Table columns have widths in px, set in code: each gets its width at normal text size times {@code ratio}, so
     * that headers and cells stay uncut at any text size.
     */
    static void scaleTableColumns(Node node, double ratio) {
        if (node instanceof TableView<?> table) {
            table.getColumns().forEach(c -> scale(c, ratio));
        }
        if (node instanceof Parent parent) {
            for (Node child : parent.getChildrenUnmodifiable()) {
                scaleTableColumns(child, ratio);
            }
        }
        if (node instanceof TabPane tabs) {
            // the content of a tab not shown is not among the pane's children until its skin adds it
            tabs.getTabs().forEach(t -> {
                if (t.getContent() != null && t.getContent().getParent() == null) {
                    scaleTableColumns(t.getContent(), ratio);
                }
            });
        }
    }

    private static void scale(TableColumnBase<?, ?> column, double ratio) {
        Object base = column.getProperties().computeIfAbsent(BASE_WIDTH, k -> column.getPrefWidth());
        column.setPrefWidth((Double) base * ratio);
        column.getColumns().forEach(c -> scale(c, ratio));
    }

    private void showTop(boolean shown) {
        Node top = window.getTop();
        if (top != null) {
            top.setVisible(shown);
            top.setManaged(shown);
        }
    }

    private void apply(boolean on) {
        String sheet = Objects.requireNonNull(PresentationMode.class.getResource(STYLESHEET)).toExternalForm();
        if (on) {
            window.getStylesheets().add(sheet);
            window.getStyleClass().add("presenting");
            hiddenLeft = window.getLeft();
            window.setLeft(null);
            // hidden, not removed: its accelerators stay registered with the scene
            showTop(false);
            if (window.getScene() != null) {
                window.getScene().addEventFilter(KeyEvent.KEY_PRESSED, escapeLeaves);
            }
        } else {
            window.getStylesheets().remove(sheet);
            window.getStyleClass().remove("presenting");
            if (hiddenLeft != null) {
                window.setLeft(hiddenLeft);
                hiddenLeft = null;
            }
            showTop(true);
            if (window.getScene() != null) {
                window.getScene().removeEventFilter(KeyEvent.KEY_PRESSED, escapeLeaves);
            }
        }
        applyFontSize();
        Window w = window.getScene() == null ? null : window.getScene().getWindow();
        if (w instanceof Stage stage && fullScreen) {
            stage.setFullScreenExitKeyCombination(KeyCombination.NO_MATCH);
            stage.setFullScreenExitHint(on ? "Presentation mode: Esc leaves, Ctrl + and Ctrl \u2212 change the text size" : null);
            stage.setFullScreen(on);
        }
    }
}
