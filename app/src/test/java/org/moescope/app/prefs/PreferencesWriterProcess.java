package org.moescope.app.prefs;

import java.util.List;
import java.util.prefs.Preferences;
import org.moescope.engine.moe.MoeOptions;

/**
 * A separate JVM for {@link AppPreferencesTest}: sets preferences through {@link AppPreferences} in the node named by
 * its argument, says "set" on stdout, then waits to be killed (no shutdown call, no exit).
 */
public final class PreferencesWriterProcess {
    static final MoeOptions SWITCHES = new MoeOptions(false, true, true, false, true);
    static final List<String> RECENT = List.of("/models/Qwen3-30B-A3B-Q4_K_M.gguf", "qwen3-30b-a3b:4");

    private PreferencesWriterProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node(args[0]));
        prefs.setModel(RECENT.get(0));
        prefs.setRecentModels(RECENT);
        prefs.setDevice("1");
        prefs.setSwitches(SWITCHES);
        prefs.setDarkTheme(true);
        prefs.setWindowSize(1000, 700);
        System.out.println("set");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
