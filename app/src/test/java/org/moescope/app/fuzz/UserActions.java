package org.moescope.app.fuzz;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import javafx.concurrent.Task;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.geometry.VerticalDirection;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import org.moescope.app.view.ExportsForTests;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * What a user does with the app, as weighted random actions: load (the sample model, the tiny synthetic preset, a
 * bad path, a cancelled load), run (prefill, step, generate, stop, reset), flip switches, type valid and invalid text
 * into the number fields and the prompt, switch tabs, zoom and select in the flame chart, select in the tables and
 * heatmaps, export, A/B compare. Actions go through the window with the mouse and keyboard; only the exports call
 * their code below the file chooser, which the headless platform cannot show. Runs stay short: before an action
 * that runs the model, fields holding a long run are set back through the UI, as a user in a hurry would.
 */
final class UserActions {
    /** One kind of action; {@code perform} does it and says what exactly it did. */
    record Action(String name, int weight, Supplier<String> perform) {
    }

    /** An export started: the file it writes and the task writing it. */
    record Export(Path file, Task<Void> task) {
    }

    /** Text a user might type into a number field: numbers in and out of range, and text that is no number. */
    static final String[] INVALID_NUMBERS = {"abc", "12x", "-1", "", "  ", "99999999999999999999", "1e400", "NaN",
        "0x10", "1,5", "--2", "+", "3.7.1", "\u00bd", "Infinity", "-0", " 4 "};
    private static final String[][] VALID_NUMBERS = {
        {"max-tokens-spinner", "1", "2", "3", "5", "8"},
        {"batch-spinner", "1", "1", "2", "3"},
        {"temperature-spinner", "0", "0.7", "1.5", "2"},
        {"top-p-spinner", "0.9", "1", "0.5", "0.05"},
        {"seed-spinner", "0", "7", "42", "1234567890123"},
    };
    private static final String[] PROMPTS = {"There was a young lady of", "Once upon a time", "", "   ", "1 2 3 4",
        "The cat", "\u00fc\u00e9 \u6f22\u5b57 \ud83d\ude42", "a b c d e f g h i j k l m n o p q r s t u v w x y z",
        "2047 2047", "99999", "-1 5", "hello\tworld"};
    private static final String[] TYPED_MODELS = {"", "qwen3-tiny", "qwen3-tiny:2", "/no/such/model",
        "no-such-preset", "qwen3-tiny:abc", "qwen3-tiny:-1", "/tmp/missing.gguf", "sample-weights/config.json",
        "/proc/self", "  ", "qwen3-tiny:"};
    private static final KeyCode[] SWITCH_KEYS = {KeyCode.DIGIT1, KeyCode.DIGIT2, KeyCode.DIGIT3, KeyCode.DIGIT4,
        KeyCode.DIGIT5};
    private static final String[] SWITCH_IDS = {"#fused-switch", "#host-topk-switch", "#direct-switch",
        "#profiling-switch", "#q8-activations-switch"};
    private static final String[] TABS = {"#tab-output", "#tab-timeline", "#tab-routing", "#tab-compare"};
    /** Runs stay this short, so that a thousand actions take minutes. */
    private static final int MAX_TOKENS_LIMIT = 8;
    private static final int BATCH_LIMIT = 3;

    private final FxRobot robot;
    private final UserInput input;
    private final MainWindow window;
    private final SessionViewModel vm;
    private final Random random;
    private final Path exportDir;
    private final List<Export> exports = new ArrayList<>();
    private final List<Action> actions;
    private final int totalWeight;
    private int exported;

    UserActions(FxRobot robot, MainWindow window, Random random, Path exportDir) {
        this.robot = robot;
        this.input = new UserInput(robot, window.getScene());
        this.window = window;
        this.vm = window.viewModel();
        this.random = random;
        this.exportDir = exportDir;
        actions = List.of(
                new Action("load the sample model", 2, () -> loadPreset("Bundled sample model")),
                new Action("load qwen3-tiny", 2, () -> loadPreset("Synthetic qwen3-tiny (all layers)")),
                new Action("type a model and press Enter", 3, this::typeModel),
                new Action("load and cancel", 1, this::loadAndCancel),
                new Action("prefill", 6, () -> runKey(KeyCode.F6, "#prefill-button")),
                new Action("step", 8, () -> runKey(KeyCode.F7, "#step-button")),
                new Action("generate", 8, () -> runKey(KeyCode.F5, "#generate-button")),
                new Action("generate and stop", 3, this::generateAndStop),
                new Action("stop", 3, () -> keyOrClick(new KeyCode[] {KeyCode.SHIFT, KeyCode.F5}, "#stop-button")),
                new Action("reset", 3, () -> keyOrClick(new KeyCode[] {KeyCode.CONTROL, KeyCode.R}, "#reset-button")),
                new Action("flip a switch", 8, this::flipSwitch),
                new Action("type into a number field", 12, this::typeNumber),
                new Action("spin a number field", 3, this::spinNumber),
                new Action("edit the prompt", 4, this::typePrompt),
                new Action("choose the KV cache type", 2, this::chooseKvCache),
                new Action("switch tabs", 6, this::switchTab),
                new Action("use the flame chart", 9, this::useFlameChart),
                new Action("select a stage table row", 3, () -> clickRow("#tab-timeline", ".stage-table .table-row-cell")),
                new Action("select a step table row", 2, () -> clickRow("#tab-output", "#step-table .table-row-cell")),
                new Action("use the routing view", 7, this::useRouting),
                new Action("export", 3, this::export),
                new Action("A/B compare", 3, this::compare),
                new Action("toggle the dark theme", 1, () -> input.keys(KeyCode.CONTROL, KeyCode.T)),
                new Action("open and close the help sheet", 1, () -> input.keys(KeyCode.F1)));
        totalWeight = actions.stream().mapToInt(Action::weight).sum();
    }

    List<Action> all() {
        return actions;
    }

    Action pick() {
        int r = random.nextInt(totalWeight);
        for (Action a : actions) {
            r -= a.weight();
            if (r < 0) {
                return a;
            }
        }
        throw new AssertionError();
    }

    /** The export tasks started so far (writing on their own threads). */
    List<Export> exports() {
        return exports;
    }

    // ---------------------------------------------------------------- loading

    private String loadPreset(String item) {
        input.click("#presets-button");
        input.click(item);
        return load();
    }

    private String load() {
        if (random.nextBoolean()) {
            input.click("#load-button");
            return "Load clicked";
        }
        input.push(KeyCode.CONTROL, KeyCode.L);
        return "Ctrl+L";
    }

    private String typeModel() {
        String model = pickOf(TYPED_MODELS);
        input.replaceText("#model-field", model);
        input.push(KeyCode.ENTER);
        return "typed '" + model + "', Enter";
    }

    private String loadAndCancel() {
        String how = load();
        boolean stop = random.nextBoolean();
        if (stop) {
            input.push(KeyCode.SHIFT, KeyCode.F5);
        } else {
            input.click("#load-button");
        }
        return how + ", then " + (stop ? "Shift+F5" : "Cancel clicked");
    }

    // ---------------------------------------------------------------- running

    private String runKey(KeyCode key, String button) {
        String guard = keepRunsShort();
        return guard + keyOrClick(new KeyCode[] {key}, button);
    }

    private String generateAndStop() {
        String guard = keepRunsShort();
        String how = keyOrClick(new KeyCode[] {KeyCode.F5}, "#generate-button");
        return guard + how + ", then " + keyOrClick(new KeyCode[] {KeyCode.SHIFT, KeyCode.F5}, "#stop-button");
    }

    private String keyOrClick(KeyCode[] keys, String button) {
        if (random.nextBoolean()) {
            input.push(keys);
            return UserInput.keyName(keys);
        }
        input.click(button);
        return button + " clicked";
    }

    /**
     * A field left at a long run (a huge number clamped to the maximum) is set back to a small value, through the
     * field, before the next run; returns what it typed.
     */
    private String keepRunsShort() {
        StringBuilder done = new StringBuilder();
        if (UserInput.fx(() -> vm.maxNewTokensProperty().get()) > MAX_TOKENS_LIMIT) {
            input.replaceText("#max-tokens-spinner .text-field", "4");
            input.push(KeyCode.ENTER);
            done.append("(max tokens set back to 4) ");
        }
        if (UserInput.fx(() -> vm.batchProperty().get()) > BATCH_LIMIT) {
            input.replaceText("#batch-spinner .text-field", "2");
            input.push(KeyCode.ENTER);
            done.append("(batch set back to 2) ");
        }
        return done.toString();
    }

    // ---------------------------------------------------------------- inputs

    private String flipSwitch() {
        int i = random.nextInt(SWITCH_IDS.length);
        if (random.nextBoolean()) {
            input.push(KeyCode.ALT, SWITCH_KEYS[i]);
            return "Alt+" + (i + 1);
        }
        input.click(SWITCH_IDS[i]);
        return SWITCH_IDS[i] + " clicked";
    }

    private String typeNumber() {
        String[] field = VALID_NUMBERS[random.nextInt(VALID_NUMBERS.length)];
        boolean valid = random.nextInt(3) > 0;
        String text = valid ? field[1 + random.nextInt(field.length - 1)] : pickOf(INVALID_NUMBERS);
        input.replaceText("#" + field[0] + " .text-field", text);
        // a field's text is committed by Enter or by leaving it; sometimes the user does neither
        String commit = switch (random.nextInt(3)) {
            case 0 -> {
                input.push(KeyCode.ENTER);
                yield "Enter";
            }
            case 1 -> {
                input.push(KeyCode.TAB);
                yield "Tab";
            }
            default -> "no commit";
        };
        return field[0] + " '" + text + "', " + commit;
    }

    private String spinNumber() {
        String[] field = VALID_NUMBERS[random.nextInt(VALID_NUMBERS.length)];
        boolean up = random.nextBoolean();
        if (random.nextBoolean()) {
            input.click("#" + field[0] + " .text-field");
            input.push(up ? KeyCode.UP : KeyCode.DOWN);
            return field[0] + (up ? " Up" : " Down");
        }
        input.click("#" + field[0] + (up ? " .increment-arrow-button" : " .decrement-arrow-button"));
        return field[0] + (up ? " up arrow" : " down arrow") + " clicked";
    }

    private String typePrompt() {
        String prompt = pickOf(PROMPTS);
        input.replaceText("#prompt-area", prompt);
        return "prompt '" + prompt + "'";
    }

    private String chooseKvCache() {
        String type = pickOf(new String[] {"F32", "F16", "BF16"});
        input.click("#kv-cache-choice");
        input.click(type);
        return type;
    }

    // ---------------------------------------------------------------- views

    private String switchTab() {
        int i = random.nextInt(TABS.length);
        if (random.nextBoolean()) {
            input.push(KeyCode.CONTROL, KeyCode.valueOf("DIGIT" + (i + 1)));
            return "Ctrl+" + (i + 1);
        }
        input.click(TABS[i] + " .tab-label");
        return TABS[i] + " clicked";
    }

    private String useFlameChart() {
        showTab(1);
        Node chart = robot.lookup(".flame-chart").query();
        Bounds b = UserInput.fx(() -> chart.getLayoutBounds());
        Point2D at = new Point2D(60 + random.nextDouble() * Math.max(1, b.getWidth() - 70),
                25 + random.nextDouble() * Math.max(1, b.getHeight() - 30));
        return switch (random.nextInt(9)) {
            case 0 -> {
                input.clickAt(chart, at);
                yield "click at " + round(at);
            }
            case 1 -> {
                input.clickAt(chart, at);
                KeyCode key = pickOf(new KeyCode[] {KeyCode.W, KeyCode.S, KeyCode.A, KeyCode.D, KeyCode.F, KeyCode.ESCAPE});
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    input.push(key);
                }
                yield "click, then " + key + " keys";
            }
            case 2 -> {
                input.moveTo(chart, at);
                VerticalDirection d = random.nextBoolean() ? VerticalDirection.UP : VerticalDirection.DOWN;
                int amount = 1 + random.nextInt(5);
                input.pressKeyboard(KeyCode.CONTROL);
                input.scrollMouse(d == VerticalDirection.UP ? -amount : amount);
                input.releaseKeyboard(KeyCode.CONTROL);
                yield "Ctrl+wheel " + d + " x" + amount;
            }
            case 3 -> {
                input.moveTo(chart, at);
                int amount = 1 + random.nextInt(5);
                boolean sideways = random.nextBoolean();
                int signed = random.nextBoolean() ? amount : -amount;
                if (sideways) {
                    // a horizontal wheel is a vertical one with Shift held
                    input.pressKeyboard(KeyCode.SHIFT);
                }
                input.scrollMouse(signed);
                if (sideways) {
                    input.releaseKeyboard(KeyCode.SHIFT);
                }
                yield (sideways ? "sideways " : "") + "wheel " + signed;
            }
            case 4 -> {
                Point2D to = new Point2D(Math.max(60, at.getX() + random.nextGaussian() * 200), at.getY());
                input.moveTo(chart, at);
                input.pressKeyboard(KeyCode.SHIFT);
                input.pressMouse(MouseButton.PRIMARY);
                input.moveTo(chart, to);
                input.releaseMouse(MouseButton.PRIMARY);
                input.releaseKeyboard(KeyCode.SHIFT);
                yield "shift+drag " + round(at) + " to " + round(to);
            }
            case 5 -> {
                Point2D to = new Point2D(at.getX() + random.nextGaussian() * 150, at.getY());
                input.moveTo(chart, at);
                input.pressMouse(MouseButton.PRIMARY);
                input.moveTo(chart, to);
                input.releaseMouse(MouseButton.PRIMARY);
                yield "drag " + round(at) + " to " + round(to);
            }
            case 6 -> {
                input.clickAt(chart, at);
                input.clickAt(chart, at);
                yield "double-click at " + round(at);
            }
            case 7 -> {
                String button = pickOf(new String[] {"Fit", "+", "\u2212", "Clear selection"});
                input.click(button);
                yield "'" + button + "' clicked";
            }
            default -> {
                input.click("Hide gaps between steps");
                yield "hide gaps toggled";
            }
        };
    }

    private String useRouting() {
        showTab(2);
        return switch (random.nextInt(6)) {
            case 0, 1 -> {
                String which = random.nextBoolean() ? "token" : "load";
                Node map = UserInput.fx(() -> which.equals("token") ? window.routing().tokenHeatmap() : window.routing().loadHeatmap());
                Bounds b = UserInput.fx(() -> map.getLayoutBounds());
                Point2D at = new Point2D(random.nextDouble() * b.getWidth(), random.nextDouble() * b.getHeight());
                input.clickAt(map, at);
                yield which + " heatmap clicked at " + round(at);
            }
            case 2 -> {
                List<javafx.scene.control.Label> labels = UserInput.fx(() -> List.copyOf(window.routing().routedText().tokenLabels()));
                if (labels.isEmpty()) {
                    yield "no token to click";
                }
                int i = random.nextInt(labels.size());
                input.clickNode(labels.get(i));
                yield "token " + i + " of " + labels.size() + " clicked";
            }
            case 3 -> {
                input.click(".routing-pane .combo-box");
                List<Node> cells = robot.lookup(".combo-box-popup .list-cell").queryAll().stream()
                        .filter(n -> n instanceof Labeled l && l.getText() != null && !l.getText().isEmpty() && UserInput.onScreen(n)).toList();
                if (cells.isEmpty()) {
                    yield "layer chooser empty";
                }
                Node cell = cells.get(random.nextInt(cells.size()));
                input.clickNode(cell);
                yield "chose " + ((Labeled) cell).getText();
            }
            case 4 -> {
                String radio = random.nextBoolean() ? "router probability" : "routing weight";
                input.click(radio);
                yield "'" + radio + "' clicked";
            }
            default -> {
                String tab = random.nextBoolean() ? "Balance per layer" : "Token inspector";
                input.click(tab);
                yield "'" + tab + "' tab clicked";
            }
        };
    }

    private String clickRow(String tab, String rows) {
        showTab(List.of(TABS).indexOf(tab));
        List<Node> filled = robot.lookup(rows).queryAll().stream()
                .filter(n -> n instanceof javafx.scene.control.IndexedCell<?> c && !c.isEmpty() && UserInput.onScreen(n)).toList();
        if (filled.isEmpty()) {
            return "no row to click";
        }
        int i = random.nextInt(filled.size());
        input.clickNode(filled.get(i));
        return "row " + i + " of " + filled.size() + " clicked";
    }

    /** File ▸ Export, below its file chooser: the trace, the routing or the chart, into the temporary folder. */
    private String export() {
        int kind = random.nextInt(3);
        if (kind == 2 && random.nextBoolean()) {
            switchTab();
        }
        Path file = exportDir.resolve("export-" + exported++ + (kind == 0 ? ".json" : kind == 1 ? ".csv" : ".png"));
        Task<Void> task = UserInput.fx(() -> switch (kind) {
            case 0 -> ExportsForTests.exportTrace(window, file);
            case 1 -> ExportsForTests.exportRouting(window, file);
            default -> ExportsForTests.saveChartPng(window, file);
        });
        if (task != null) {
            exports.add(new Export(file, task));
        }
        return (kind == 0 ? "trace" : kind == 1 ? "routing" : "chart PNG") + " to " + file.getFileName()
                + (task == null ? " (refused: nothing to export)" : "");
    }

    private String compare() {
        showTab(3);
        StringBuilder done = new StringBuilder();
        if (random.nextBoolean()) {
            String preset = pickOf(new String[] {"Indirect vs direct dispatch", "Fused vs unfused SiLU",
                "Device vs host top-k", "Float vs Q8 activations"});
            input.click(preset);
            done.append("preset '").append(preset).append("', ");
        }
        if (random.nextInt(4) == 0) {
            input.click("#compare-warm-up");
            done.append("warm-up toggled, ");
        }
        if (random.nextInt(3) == 0) {
            String text = random.nextBoolean() ? pickOf(new String[] {"1", "2"}) : pickOf(INVALID_NUMBERS);
            input.replaceText("#compare-repeats .text-field", text);
            input.push(KeyCode.ENTER);
            done.append("runs per side '").append(text).append("', ");
        }
        Spinner<?> repeats = robot.lookup("#compare-repeats").queryAs(Spinner.class);
        // an empty field (no value) is left as it is: what Run A/B does with it is part of the test
        if (UserInput.fx(() -> repeats.getValue() != null && ((Number) repeats.getValue()).intValue() > 2)) {
            input.replaceText("#compare-repeats .text-field", "2");
            input.push(KeyCode.ENTER);
            done.append("(runs per side set back to 2) ");
        }
        done.append(keepRunsShort());
        done.append(keyOrClick(new KeyCode[] {KeyCode.CONTROL, KeyCode.B}, "#compare-button"));
        if (random.nextInt(4) == 0) {
            input.push(KeyCode.SHIFT, KeyCode.F5);
            done.append(", then Shift+F5");
        }
        return done.toString();
    }

    // ---------------------------------------------------------------- robot helpers

    private void showTab(int index) {
        if (UserInput.fx(() -> window.tabs().getSelectionModel().getSelectedIndex()) != index) {
            input.click(TABS[index] + " .tab-label");
            // the tab's content shows and is laid out over the next pulses
            WaitForAsyncUtils.waitForFxEvents();
        }
    }

    private <T> T pickOf(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String round(Point2D p) {
        return "(" + Math.round(p.getX()) + ", " + Math.round(p.getY()) + ")";
    }
}
