package org.moescope.app.prefs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;
import java.util.stream.IntStream;
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
        MoeOptions switches = new MoeOptions(false, true, true, false, true);
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
        assertTrue(again.switches().q8Activations(), "the Q8 activations switch is kept too");
    }

    @Test
    void recentModelsKeepGgufPathsNewestFirstWithoutRepeats() {
        AppPreferences prefs = new AppPreferences(node);
        assertEquals(List.of(), prefs.recentModels());
        prefs.setRecentModels(List.of("/models/Qwen3-30B-A3B-Q4_K_M.gguf", "", "/models/hf-folder",
                "/models/Qwen3-30B-A3B-Q4_K_M.gguf", "qwen3-30b-a3b:4"));
        assertEquals(List.of("/models/Qwen3-30B-A3B-Q4_K_M.gguf", "/models/hf-folder", "qwen3-30b-a3b:4"),
                new AppPreferences(node).recentModels());

        List<String> many = IntStream.range(0, AppPreferences.MAX_RECENT + 3).mapToObj(i -> "/m/" + i + ".gguf").toList();
        prefs.setRecentModels(many);
        assertEquals(many.subList(0, AppPreferences.MAX_RECENT), new AppPreferences(node).recentModels());
        prefs.setRecentModels(List.of("/m/only.gguf"));
        assertEquals(List.of("/m/only.gguf"), new AppPreferences(node).recentModels(), "a shorter list drops the rest");
    }

    @Test
    void whatIsSetSurvivesAKilledJvmWithoutAnyShutdownCall() throws Exception {
        String path = node.absolutePath().substring(1) + "/killed";
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // the periodic sync would come only after this long: what is on disk was written by the setters
                "-Djava.util.prefs.syncInterval=100000"));
        String root = System.getProperty("java.util.prefs.userRoot");
        if (root != null) {
            command.add("-Djava.util.prefs.userRoot=" + root);
        }
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                PreferencesWriterProcess.class.getName(), path));
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("set", out.readLine(), "the child JVM set the preferences");
        } finally {
            child.destroyForcibly();   // SIGKILL, as kill -9: no shutdown hook runs
            child.waitFor();
        }

        // this JVM has never read that node, so it comes from the backing store
        AppPreferences again = new AppPreferences(Preferences.userRoot().node(path));
        assertEquals(PreferencesWriterProcess.RECENT.get(0), again.model());
        assertEquals(PreferencesWriterProcess.RECENT, again.recentModels());
        assertEquals("1", again.device());
        assertEquals(PreferencesWriterProcess.SWITCHES, again.switches());
        assertTrue(again.darkTheme());
        assertEquals(1000, again.windowWidth());
    }
}
