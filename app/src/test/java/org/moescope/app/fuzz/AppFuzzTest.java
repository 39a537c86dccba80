package org.moescope.app.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.moescope.app.fuzz.UserInput.fx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.concurrent.Worker;
import javafx.scene.Scene;
import javafx.scene.layout.Pane;
import javafx.scene.control.Tooltip;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;
import org.testfx.api.FxRobot;
import org.testfx.api.FxRobotException;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Fuzzes the app: a seeded sequence of random user actions ({@link UserActions}) on the window with the bundled
 * sample model. Fails on an exception no code caught, an exception or stack trace on standard error or in the log
 * ({@link ErrorTraps}), an FX thread that stops answering ({@link FxWatchdog}), and, each time the app has become
 * idle at a checkpoint and at the end, a view that disagrees with the session ({@link ViewChecks}). A failure prints
 * the seed, the last actions and the command that repeats the run. Engine work runs on its own thread, so a seed
 * repeats the actions, not the exact interleaving with the engine.
 *
 * <p>{@code -Dmoescope.fuzz.seed=N} (default fixed), {@code -Dmoescope.fuzz.actions=N} (default 1000),
 * {@code -Dmoescope.fuzz.checkEvery=N} (default 100), {@code -Dmoescope.fuzz.fxLimitMillis=N} (default 5000).
 */
@Tag("fuzz")
@ExtendWith(ApplicationExtension.class)
class AppFuzzTest {
    private static final long SEED = Long.getLong("moescope.fuzz.seed", 16_12L);
    private static final int ACTIONS = Integer.getInteger("moescope.fuzz.actions", 1000);
    private static final int CHECK_EVERY = Integer.getInteger("moescope.fuzz.checkEvery", 100);
    private static final long FX_ANSWER_LIMIT_MILLIS = Long.getLong("moescope.fuzz.fxLimitMillis", 5000);
    /** How long engine work may take to finish at a checkpoint before the test calls it hung. */
    private static final long IDLE_LIMIT_SECONDS = 180;
    private static final int LOG_SHOWN = 40;

    private ErrorTraps traps;

    @TempDir
    Path exportDir;

    private Stage stage;
    private MainWindow window;
    private SessionViewModel vm;
    private final Deque<String> log = new ArrayDeque<>();
    private final StringBuilder fullLog = new StringBuilder();
    private final Map<String, Integer> counts = new TreeMap<>();

    @AfterEach
    void releaseTraps() {
        fx(() -> {
            Thread.currentThread().setUncaughtExceptionHandler(null);
            return null;
        });
        traps.close();
    }

    @Start
    void start(Stage stage) {
        // what the window of an earlier test does as it goes (a field committing its text) is not this test's
        stage.setScene(new Scene(new Pane()));
        traps = new ErrorTraps();
        traps.trapCurrentThread();
        this.stage = stage;
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-fuzz/" + System.nanoTime()));
        prefs.setModel("");
        prefs.setDevice("java");
        window = MoeScopeApp.open(stage, prefs, true);
        vm = window.viewModel();
    }

    @Test
    void randomUserActionsNeverBreakTheApp(FxRobot robot) throws Exception {
        long started = System.nanoTime();
        int done = 0;
        try (FxWatchdog watchdog = new FxWatchdog(FX_ANSWER_LIMIT_MILLIS, traps::fail)) {
            checkpoint("after the first load");
            assertTrue(fx(() -> vm.configProperty().get() != null), "the sample model loaded at start");
            UserActions actions = new UserActions(robot, window, new Random(SEED), exportDir);
            for (; done < ACTIONS && !traps.failed(); done++) {
                UserActions.Action action = actions.pick();
                String what;
                long t0 = System.nanoTime();
                try {
                    what = action.perform().get();
                } catch (FxRobotException e) {
                    what = "not on screen now (" + e.getMessage() + ")";
                }
                record(done, action.name(), what + " [" + (System.nanoTime() - t0) / 1_000_000 + " ms]");
                closeStrayWindows();
                if ((done + 1) % CHECK_EVERY == 0) {
                    checkpoint("after action " + done);
                }
            }
            checkpoint("at the end");
            checkExports(actions.exports());
            System.out.printf("AppFuzzTest: seed %d, %d actions in %.0f s, %d FX pings, slowest %d ms; %s%n", SEED, done,
                    (System.nanoTime() - started) / 1e9, watchdog.pings(), watchdog.slowestMillis(), counts);
        } finally {
            Path logFile = Path.of("target", "app-fuzz-" + SEED + ".log");
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, fullLog);
            if (traps.failed()) {
                fail(report(done));
            }
        }
    }

    private void record(int index, String name, String what) {
        counts.merge(name, 1, Integer::sum);
        log.addLast(index + ": " + name + ": " + what);
        fullLog.append(index).append(": ").append(name).append(": ").append(what).append('\n');
        if (log.size() > LOG_SHOWN) {
            log.removeFirst();
        }
    }

    /** Waits until the app is idle (engine, exports, the timeline's layout), then compares the views with it. */
    private void checkpoint(String when) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        try {
            WaitForAsyncUtils.waitFor(IDLE_LIMIT_SECONDS, TimeUnit.SECONDS,
                    () -> fx(() -> !vm.busyProperty().get() && window.timeline().isCurrent()));
        } catch (java.util.concurrent.TimeoutException e) {
            traps.fail("the app was still busy " + IDLE_LIMIT_SECONDS + " s later " + when + " (status '"
                    + fx(() -> vm.statusProperty().get()) + "')");
            return;
        }
        WaitForAsyncUtils.waitForFxEvents();
        for (String mismatch : fx(() -> ViewChecks.mismatches(window, stage))) {
            traps.fail("the view disagrees with the session " + when + ": " + mismatch);
        }
    }

    /** Every export finished; each that succeeded left a file with something in it. */
    private void checkExports(List<UserActions.Export> exports) throws Exception {
        WaitForAsyncUtils.waitFor(IDLE_LIMIT_SECONDS, TimeUnit.SECONDS,
                () -> fx(() -> exports.stream().allMatch(e -> e.task().isDone())));
        for (UserActions.Export export : exports) {
            boolean succeeded = fx(() -> export.task().getState() == Worker.State.SUCCEEDED);
            if (succeeded && (!Files.isRegularFile(export.file()) || Files.size(export.file()) == 0)) {
                traps.fail("an export said it wrote " + export.file().getFileName() + ", which is missing or empty");
            }
        }
    }

    /** Closes what an action left open (a popup menu, the help sheet), as a user would before the next one. */
    private void closeStrayWindows() {
        fx(() -> {
            for (Window w : List.copyOf(Window.getWindows())) {
                if (w != stage && w.isShowing() && !(w instanceof Tooltip)) {
                    w.hide();
                }
            }
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private String report(int done) {
        StringBuilder b = new StringBuilder();
        b.append("The app fuzzer found a problem after ").append(done).append(" of ").append(ACTIONS)
                .append(" actions (seed ").append(SEED).append(").\nRepeat with: mvn -o -q -B -pl app -am test "
                        + "-Dtest=AppFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dmoescope.fuzz.seed=")
                .append(SEED).append(" -Dmoescope.fuzz.actions=").append(ACTIONS)
                .append("\nEvery action of the run: app/target/app-fuzz-").append(SEED).append(".log\n\nLast actions:\n");
        log.forEach(line -> b.append("  ").append(line).append('\n'));
        List<String> failures = traps.failures();
        b.append("\nFailures (").append(failures.size()).append("):\n");
        failures.stream().limit(12).forEach(f -> b.append("- ").append(f).append('\n'));
        return b.toString();
    }
}
