package org.moescope.app.ui;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.stage.Stage;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.EngineExecutor;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Opens the real app window for a TestFX test on the Java reference backend, with preferences in a fresh node
 * (the surefire run points java.util.prefs at target/), and waits for the engine.
 */
final class AppFixture {
    /** Engine work on the Java reference backend is slow under a loaded CI machine; this bounds a hung test only. */
    static final long ENGINE_TIMEOUT_SECONDS = 300;

    private AppFixture() {
    }

    /** The model argument of the tests: "" = the bundled sample model (sample-weights/, found via moescope.home). */
    static String smallModel() {
        return "";
    }

    static AppPreferences freshPreferences(String model) {
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-test/" + System.nanoTime()));
        prefs.setModel(model);
        prefs.setDevice("java");
        return prefs;
    }

    /** Opens the window on {@code stage} and starts loading {@code model}. Call from {@code @Start}. */
    static MainWindow open(Stage stage, String model) {
        return MoeScopeApp.open(stage, freshPreferences(model), true);
    }

    /** Waits until the view model is idle (model loaded or failed, run done). */
    static void awaitIdle(SessionViewModel vm) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> !vm.busyProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Keeps the engine thread busy until the returned latch is counted down, so that work queued on it meanwhile
     * (a load, a Generate) has not started yet: what the FX thread does in between is ordered before it.
     */
    static CountDownLatch holdEngine() {
        CountDownLatch held = new CountDownLatch(1);
        EngineExecutor.get().execute(() -> {
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return held;
    }

    /** Evaluates on the FX thread. */
    static <T> T fx(Callable<T> callable) throws Exception {
        return WaitForAsyncUtils.asyncFx(callable).get(ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /** Runs on the FX thread and waits. */
    static void fxRun(Runnable runnable) throws Exception {
        WaitForAsyncUtils.asyncFx(runnable).get(ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }
}
