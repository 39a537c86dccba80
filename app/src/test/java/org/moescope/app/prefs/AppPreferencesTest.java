package org.moescope.app.prefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.prefs.Preferences;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.moescope.engine.moe.MoeOptions;

class AppPreferencesTest {
    private final Preferences node = Preferences.userRoot().node("org/moescope/app-test/" + System.nanoTime());

    @AfterEach
    void removeNode() throws Exception {
        node.removeNode();
    }

    @Test
    void defaultsWhenNothingIsSaved() {
        AppPreferences prefs = new AppPreferences(node);
        assertEquals("", prefs.model());
        assertEquals("", prefs.device());
        assertEquals(MoeOptions.DEFAULT.withProfiling(true), prefs.switches());
        assertEquals(AppPreferences.DEFAULT_WIDTH, prefs.windowWidth());
        assertFalse(prefs.darkTheme());
    }

    @Test
    void whatIsSavedComesBackInANewInstance() {
        AppPreferences prefs = new AppPreferences(node);
        MoeOptions switches = new MoeOptions(false, true, true, false);
        prefs.setModel("/models/qwen3");
        prefs.setDevice("1");
        prefs.setSwitches(switches);
        prefs.setWindowSize(1000, 700);
        prefs.setDarkTheme(true);
        prefs.flush();

        AppPreferences again = new AppPreferences(node);
        assertEquals("/models/qwen3", again.model());
        assertEquals("1", again.device());
        assertEquals(switches, again.switches());
        assertEquals(1000, again.windowWidth());
        assertEquals(700, again.windowHeight());
        assertTrue(again.darkTheme());
    }
}
