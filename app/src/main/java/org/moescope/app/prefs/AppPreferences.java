package org.moescope.app.prefs;

import java.util.ArrayList;
import java.util.List;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import org.moescope.app.export.slide.SlideOptions;
import org.moescope.engine.moe.MoeOptions;

/**
 * What the app keeps between runs ({@link java.util.prefs}): last model, recent models, device, switches, window
 * size, theme, slide export options.
 * Reads fall back to defaults when a key is missing or unreadable. Every setter writes through to the backing store
 * at once (java.util.prefs would otherwise write some 30 s later or at a clean exit), so a crash or a kill keeps what
 * was set; the store itself replaces its file by renaming a complete new one.
 */
public final class AppPreferences {
    private static final String MODEL = "model";
    private static final String DEVICE = "device";
    private static final String FUSED = "switch.fusedGateUpSilu";
    private static final String HOST_TOPK = "switch.hostTopk";
    private static final String DIRECT = "switch.directDispatch";
    private static final String PROFILING = "switch.profiling";
    private static final String Q8_ACTIVATIONS = "switch.q8Activations";
    private static final String RECENT = "recent.";
    /** Models kept in the recent list, newest first. */
    public static final int MAX_RECENT = 8;
    private static final String WIDTH = "window.width";
    private static final String HEIGHT = "window.height";
    private static final String DARK = "theme.dark";
    private static final String SLIDE_SIZE = "slide.size";
    private static final String SLIDE_TITLE = "slide.title";
    private static final String SLIDE_LEGEND = "slide.legend";
    private static final String SLIDE_FORMAT = "slide.format";

    public static final double DEFAULT_WIDTH = 1440;
    public static final double DEFAULT_HEIGHT = 900;

    private final Preferences node;
    private boolean failureReported;

    public AppPreferences(Preferences node) {
        this.node = node;
    }

    /** The user's preferences of the app. */
    public static AppPreferences user() {
        return new AppPreferences(Preferences.userRoot().node("org/moescope/app"));
    }

    /** Folder or preset; "" = the bundled sample model. */
    public String model() {
        return node.get(MODEL, "");
    }

    public void setModel(String model) {
        node.put(MODEL, model == null ? "" : model);
        flush();
    }

    /** Device selector; "" = the first device. */
    public String device() {
        return node.get(DEVICE, "");
    }

    public void setDevice(String selector) {
        node.put(DEVICE, selector == null ? "" : selector);
        flush();
    }

    /** The saved switches; profiling defaults to on, since seeing the time is the point of the app. */
    public MoeOptions switches() {
        MoeOptions d = MoeOptions.DEFAULT;
        return new MoeOptions(node.getBoolean(FUSED, d.fusedGateUpSilu()), node.getBoolean(HOST_TOPK, d.hostTopk()),
                node.getBoolean(DIRECT, d.directDispatch()), node.getBoolean(PROFILING, true),
                node.getBoolean(Q8_ACTIVATIONS, d.q8Activations()));
    }

    public void setSwitches(MoeOptions options) {
        node.putBoolean(FUSED, options.fusedGateUpSilu());
        node.putBoolean(HOST_TOPK, options.hostTopk());
        node.putBoolean(DIRECT, options.directDispatch());
        node.putBoolean(PROFILING, options.profiling());
        node.putBoolean(Q8_ACTIVATIONS, options.q8Activations());
        flush();
    }

    /** Models loaded before (folders, GGUF files, presets), newest first, at most {@link #MAX_RECENT}. */
    public List<String> recentModels() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < MAX_RECENT; i++) {
            String model = node.get(RECENT + i, null);
            if (model == null) {
                break;
            }
            if (!model.isBlank() && !out.contains(model)) {
                out.add(model);
            }
        }
        return out;
    }

    /** Replaces the recent list (newest first; blanks and repeats dropped, cut to {@link #MAX_RECENT}). */
    public void setRecentModels(List<String> models) {
        List<String> kept = models.stream().filter(m -> m != null && !m.isBlank()).distinct().limit(MAX_RECENT).toList();
        for (int i = 0; i < MAX_RECENT; i++) {
            if (i < kept.size()) {
                node.put(RECENT + i, kept.get(i));
            } else {
                node.remove(RECENT + i);
            }
        }
        flush();
    }

    public double windowWidth() {
        return node.getDouble(WIDTH, DEFAULT_WIDTH);
    }

    public double windowHeight() {
        return node.getDouble(HEIGHT, DEFAULT_HEIGHT);
    }

    public void setWindowSize(double width, double height) {
        node.putDouble(WIDTH, width);
        node.putDouble(HEIGHT, height);
        flush();
    }

    public boolean darkTheme() {
        return node.getBoolean(DARK, false);
    }

    public void setDarkTheme(boolean dark) {
        node.putBoolean(DARK, dark);
        flush();
    }

    /** The options of the last slide export (File ▸ Export the view as a slide). */
    public SlideOptions slideOptions() {
        SlideOptions d = SlideOptions.DEFAULT;
        SlideOptions.Format format = d.format();
        try {
            format = SlideOptions.Format.valueOf(node.get(SLIDE_FORMAT, d.format().name()));
        } catch (IllegalArgumentException e) {
            // an unknown format name: the default
        }
        return new SlideOptions(SlideOptions.sizeOr(node.get(SLIDE_SIZE, d.size()), d.size()),
                node.getBoolean(SLIDE_TITLE, d.title()), node.getBoolean(SLIDE_LEGEND, d.legend()), format);
    }

    public void setSlideOptions(SlideOptions options) {
        node.put(SLIDE_SIZE, options.size());
        node.putBoolean(SLIDE_TITLE, options.title());
        node.putBoolean(SLIDE_LEGEND, options.legend());
        node.put(SLIDE_FORMAT, options.format().name());
        flush();
    }

    /**
     * Writes to the backing store now. A failure is reported once (not at every change), not thrown: the app works on
     * without it.
     */
    public void flush() {
        try {
            node.flush();
        } catch (BackingStoreException e) {
            if (!failureReported) {
                failureReported = true;
                System.err.println("moescope: preferences not saved: " + e.getMessage());
            }
        }
    }
}
