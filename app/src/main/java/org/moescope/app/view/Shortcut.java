package org.moescope.app.view;

import javafx.scene.input.KeyCombination;

/** The app's keyboard shortcuts, in one place for the menus' accelerators and the help sheet. */
public enum Shortcut {
    OPEN_FOLDER("File", "Open a model folder…", "Shortcut+O"),
    OPEN_GGUF("File", "Open a GGUF model file…", "Shortcut+Shift+O"),
    LOAD_MODEL("File", "Load the chosen model", "Shortcut+L"),
    EXPORT_TRACE("File", "Export the trace (Chrome Trace JSON, opens in Perfetto)", "Shortcut+E"),
    EXPORT_ROUTING("File", "Export the routing as CSV", "Shortcut+Shift+E"),
    SNAPSHOT("File", "Save the current chart as PNG", "Shortcut+Shift+S"),
    SLIDE("File", "Export the current view as a slide (scaled PNG or SVG, title, legend)\u2026", "Shortcut+Alt+S"),
    QUIT("File", "Quit", "Shortcut+Q"),
    PREFILL("Run", "Prefill the prompt (starts a new run)", "F6"),
    STEP("Run", "One decode step", "F7"),
    GENERATE("Run", "Generate until done", "F5"),
    STOP("Run", "Stop after the current step, or cancel a model load", "Shift+F5"),
    RESET("Run", "Reset the run (keeps the model)", "Shortcut+R"),
    COMPARE("Run", "Run the A/B compare", "Shortcut+B"),
    FUSED("Switches", "Toggle fused gate+up+SiLU", "Alt+1"),
    HOST_TOPK("Switches", "Toggle host top-k", "Alt+2"),
    DIRECT("Switches", "Toggle direct dispatch", "Alt+3"),
    PROFILING("Switches", "Toggle profiling", "Alt+4"),
    Q8_ACTIVATIONS("Switches", "Toggle Q8 activations", "Alt+5"),
    TAB_OUTPUT("View", "Output and dashboard", "Shortcut+1"),
    TAB_TIMELINE("View", "Timeline (flame chart)", "Shortcut+2"),
    TAB_ROUTING("View", "Routing", "Shortcut+3"),
    TAB_COMPARE("View", "A/B compare", "Shortcut+4"),
    TAB_TEACHING("View", "Teaching: one token through one MoE layer", "Shortcut+Shift+W"),
    FOLLOW("View", "Toggle follow mode (the routing view follows each new token)", "F8"),
    SHOW_IN_TIMELINE("View", "Show the selected token or span in the timeline", "Shortcut+J"),
    SHOW_IN_ROUTING("View", "Show the selected span's token and layer in the routing view", "Shortcut+Shift+J"),
    DARK_THEME("View", "Toggle the dark theme", "Shortcut+T"),
    PRESENT("View", "Presentation mode: large type, the current tab full screen (Esc leaves)", "F11"),
    TEXT_LARGER("View", "Larger text", "Shortcut+Plus"),
    TEXT_SMALLER("View", "Smaller text", "Shortcut+Minus"),
    TEXT_NORMAL("View", "Normal text size", "Shortcut+0"),
    HELP("Help", "This sheet", "F1");

    private final String group;
    private final String description;
    private final KeyCombination keys;

    Shortcut(String group, String description, String keys) {
        this.group = group;
        this.description = description;
        this.keys = KeyCombination.keyCombination(keys);
    }

    public String group() {
        return group;
    }

    public String description() {
        return description;
    }

    public KeyCombination keys() {
        return keys;
    }

    /** Keys of the flame chart (handled by the chart itself), listed on the help sheet. */
    public static final String[][] TIMELINE_KEYS = {
        {"Ctrl+wheel, W / S", "Zoom about the cursor"},
        {"Drag, A / D", "Pan"},
        {"F", "Fit the whole run"},
        {"Shift+drag", "Select a time range"},
        {"Click", "Select a span"},
        {"Esc", "Clear the selection"},
    };

    /** Keys of the Teaching tab (its own key handler, see view.teach.TeachingView). */
    public static final String[][] TEACHING_KEYS = {
        {"Space, \u2192, Page Down", "Next stop"},
        {"Backspace, Shift+Space, \u2190, Page Up", "Previous stop"},
        {"Home / End", "First / last stop"},
        {"Enter", "Trace the chosen step, layer and token"},
        {"K", "Kernel timing of this step in the timeline"},
    };
}
