package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.nio.file.Path;
import java.util.List;
import java.util.prefs.Preferences;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The app writes each setting when it changes, not only when the window closes, so a crash keeps it (that the
 * preferences reach the disk at once is AppPreferencesTest's kill -9 test).
 */
@ExtendWith(ApplicationExtension.class)
class PreferencesSavedOnChangeTest {
    private final Preferences node = Preferences.userRoot().node("moescope-test/saved-on-change-" + System.nanoTime());
    private Stage stage;
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        AppPreferences prefs = new AppPreferences(node);
        prefs.setDevice("java");
        window = MoeScopeApp.open(stage, prefs, false);
        vm = window.viewModel();
    }

    @Test
    void switchesThemeAndTheLoadedModelAreSavedWhileTheWindowStaysOpen() throws Exception {
        String sample = Path.of(System.getProperty("moescope.home"), "sample-weights").toAbsolutePath().toString();
        MoeOptions chosen = new MoeOptions(false, true, true, false, false);
        fxRun(() -> {
            vm.setSwitches(chosen);
            window.darkThemeProperty().set(true);
            vm.modelProperty().set(sample);
            vm.loadModel();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));

        AppPreferences saved = new AppPreferences(node);
        assertEquals(chosen, saved.switches());
        assertTrue(saved.darkTheme());
        assertEquals(sample, saved.model(), "the model is saved once it has loaded");
        assertEquals(List.of(sample), saved.recentModels());
        assertTrue(fx(stage::isShowing), "no close was needed");
    }
}
