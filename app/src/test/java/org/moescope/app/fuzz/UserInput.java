package org.moescope.app.fuzz;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import org.testfx.api.FxRobot;
import org.testfx.api.FxRobotException;
import org.testfx.robot.BaseRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Mouse and keyboard input for the fuzzer, posted as the platform's input events (the robot's base layer) and
 * waited for once per gesture: TestFX's own click or key waits about five times as long after every event, which
 * would make a thousand actions take a quarter of an hour. Lookups find nodes by id, style class or text.
 */
final class UserInput {
    private final FxRobot robot;
    private final BaseRobot base;
    private final Scene scene;

    UserInput(FxRobot robot, Scene scene) {
        this.robot = robot;
        this.base = robot.robotContext().getBaseRobot();
        this.scene = scene;
    }

    /** Clicks the field, selects all, deletes and types {@code text}. */
    void replaceText(String query, String text) {
        click(query);
        push(KeyCode.CONTROL, KeyCode.A);
        push(KeyCode.BACK_SPACE);
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            base.typeKeyboard(scene, KeyCode.UNDEFINED, new String(Character.toChars(codePoint)));
            i += Character.charCount(codePoint);
        }
        settle();
    }

    /** Clicks the first visible node {@code query} finds (an id, a style class or a text). */
    void click(String query) {
        Node node = robot.lookup(query).match(UserInput::onScreen).tryQuery()
                .orElseThrow(() -> new FxRobotException("nothing visible matches " + query));
        clickNode(node);
    }

    /** Whether the node and all its parents are visible, in a window that shows. */
    static boolean onScreen(Node node) {
        return fx(() -> {
            for (Node n = node; n != null; n = n.getParent()) {
                if (!n.isVisible()) {
                    return false;
                }
            }
            return node.getScene() != null && node.getScene().getWindow() != null && node.getScene().getWindow().isShowing();
        });
    }

    void clickNode(Node node) {
        Bounds b = fx(() -> node.getLayoutBounds());
        clickAt(node, new Point2D(b.getWidth() / 2, b.getHeight() / 2));
    }

    void moveTo(Node node, Point2D offsetFromTopLeft) {
        Bounds screen = fx(() -> node.localToScreen(node.getLayoutBounds()));
        if (screen == null) {
            throw new FxRobotException("not on screen: " + node);
        }
        base.moveMouse(new Point2D(screen.getMinX() + offsetFromTopLeft.getX(), screen.getMinY() + offsetFromTopLeft.getY()));
    }

    void clickAt(Node node, Point2D offsetFromTopLeft) {
        moveTo(node, offsetFromTopLeft);
        base.pressMouse(MouseButton.PRIMARY);
        base.releaseMouse(MouseButton.PRIMARY);
        settle();
    }

    /** Presses the keys in order and releases them in reverse, as one chord. */
    void push(KeyCode... keys) {
        for (KeyCode k : keys) {
            base.pressKeyboard(k);
        }
        for (int i = keys.length - 1; i >= 0; i--) {
            base.releaseKeyboard(keys[i]);
        }
        settle();
    }

    /**
     * Lets the FX thread handle the events posted so far and lay out once, so that what the next step looks up
     * (a popup, a row) is there. The robot's own methods wait about five times as long after every event.
     */
    static void settle() {
        WaitForAsyncUtils.waitForFxEvents(2);
    }

    String keys(KeyCode... keys) {
        push(keys);
        return keyName(keys);
    }

    static String keyName(KeyCode[] keys) {
        StringBuilder b = new StringBuilder();
        for (KeyCode k : keys) {
            b.append(b.isEmpty() ? "" : "+").append(k.getName());
        }
        return b.toString();
    }

    void pressKeyboard(KeyCode key) {
        base.pressKeyboard(key);
    }

    void releaseKeyboard(KeyCode key) {
        base.releaseKeyboard(key);
    }

    void pressMouse(MouseButton button) {
        base.pressMouse(button);
    }

    void releaseMouse(MouseButton button) {
        base.releaseMouse(button);
    }

    /** Turns the wheel by {@code amount} notches (negative: up). */
    void scrollMouse(int amount) {
        base.scrollMouse(amount);
        settle();
    }

    /** Evaluates on the FX thread. */
    static <T> T fx(Callable<T> callable) {
        try {
            return WaitForAsyncUtils.asyncFx(callable).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the FX thread did not run a query within 60 s", e);
        }
    }
}
