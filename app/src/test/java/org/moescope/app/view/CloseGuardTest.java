package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.scene.control.ButtonType;
import javafx.scene.control.DialogPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import javafx.util.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.export.AtomicFileWriter;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.EngineExecutor;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.backend.DType;
import org.moescope.engine.session.InferenceSession;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Closing the window (a close request, as the window manager's close button sends) while idle, during a generate, a
 * load and an export, with the confirmation answered Cancel or Quit.
 */
@ExtendWith(ApplicationExtension.class)
class CloseGuardTest {
    private static final long TIMEOUT_SECONDS = 300;

    @TempDir
    Path dir;

    private Stage stage;
    private MainWindow window;
    private SessionViewModel vm;
    private final List<String> asked = new ArrayList<>();
    private CloseGuard guard;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-test/close-" + System.nanoTime()));
        prefs.setDevice("java");
        window = MoeScopeApp.open(stage, prefs, true);
        vm = window.viewModel();
    }

    /** Answers the confirmation with {@code quit}, recording the question; the wait is long enough never to expire. */
    private void answer(boolean quit) throws Exception {
        answer(quit, Duration.minutes(5));
    }

    private void answer(boolean quit, Duration wait) throws Exception {
        fx(() -> guard = CloseGuard.install(stage, window, (owner, question) -> {
            asked.add(question);
            return quit;
        }, wait));
    }

    private void requestClose() throws Exception {
        fx(() -> {
            stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST));
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    private <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private void awaitIdle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> !vm.busyProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void awaitClosed() throws Exception {
        WaitForAsyncUtils.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> !stage.isShowing()));
    }

    /** Keeps the engine thread busy until counted down, so that a Generate queued meanwhile has not started. */
    private static CountDownLatch holdEngine() {
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

    private InferenceSession loadedSession() throws Exception {
        var field = SessionViewModel.class.getDeclaredField("session");
        field.setAccessible(true);
        return (InferenceSession) fx(() -> field.get(vm));
    }

    @Test
    void closingWhenIdleClosesAtOnceWithoutAsking() throws Exception {
        awaitIdle();
        answer(false);
        requestClose();
        assertEquals(List.of(), asked);
        assertFalse(fx(stage::isShowing));
    }

    @Test
    void cancelKeepsTheGenerateRunning() throws Exception {
        awaitIdle();
        answer(false);
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.maxNewTokensProperty().set(4);
                vm.generate();
                return null;
            });
            requestClose();
            assertEquals(List.of("A run is in progress. Stop it and quit?"), asked);
            assertTrue(fx(stage::isShowing));
            assertTrue(fx(() -> vm.busyProperty().get()), "the run goes on");
        } finally {
            engine.countDown();
        }
        awaitIdle();
        assertEquals("Run finished", fx(() -> vm.statusProperty().get()));
        assertTrue(fx(() -> vm.steps().size()) > 1, "the prefill and decode steps ran");
        assertNotNull(fx(() -> vm.configProperty().get()), "the model stays loaded");
        assertTrue(fx(stage::isShowing));
        assertFalse(guard.quitting());
    }

    @Test
    void quitStopsTheGenerateWaitsForTheEngineThenClosesTheModelAndTheWindow() throws Exception {
        awaitIdle();
        InferenceSession session = loadedSession();
        assertNotNull(session);
        answer(true);
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.maxNewTokensProperty().set(200);
                vm.generate();
                return null;
            });
            requestClose();
            assertEquals(List.of("A run is in progress. Stop it and quit?"), asked);
            assertTrue(guard.quitting());
            assertTrue(fx(stage::isShowing), "the window waits for the engine thread");
            requestClose();
            assertEquals(1, asked.size(), "a second close while stopping does not ask again");
        } finally {
            engine.countDown();
        }
        awaitClosed();
        assertEquals(List.of(), fx(() -> List.copyOf(vm.steps())), "the generate was stopped before its first step");
        assertEquals("Stopped", fx(() -> vm.statusProperty().get()));
        assertNull(fx(() -> vm.configProperty().get()));
        IllegalStateException closed = assertThrows(IllegalStateException.class, () -> session.setKvCacheDType(DType.F32));
        assertEquals("the session is closed", closed.getMessage(), "its device memory is freed");
    }

    @Test
    void fileQuitAsksLikeTheCloseButton(FxRobot robot) throws Exception {
        awaitIdle();
        answer(false);
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.maxNewTokensProperty().set(2);
                vm.generate();
                return null;
            });
            robot.press(KeyCode.CONTROL, KeyCode.Q).release(KeyCode.Q, KeyCode.CONTROL);
            WaitForAsyncUtils.waitForFxEvents();
            assertEquals(List.of("A run is in progress. Stop it and quit?"), asked);
            assertTrue(fx(stage::isShowing));
        } finally {
            engine.countDown();
        }
        awaitIdle();
        robot.press(KeyCode.CONTROL, KeyCode.Q).release(KeyCode.Q, KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(stage::isShowing), "idle, Quit quits without asking");
        assertEquals(1, asked.size());
    }

    @Test
    void theDialogAsksWithQuitAndCancel(FxRobot robot) throws Exception {
        awaitIdle();   // the guard MoeScopeApp installed, with its dialog
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.maxNewTokensProperty().set(2);
                vm.generate();
                // not waited for: the dialog's own event loop runs until it is answered
                javafx.application.Platform.runLater(
                        () -> stage.fireEvent(new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST)));
                return null;
            });
            WaitForAsyncUtils.waitForFxEvents();
            DialogPane dialog = robot.lookup(".dialog-pane").queryAs(DialogPane.class);
            assertEquals("A run is in progress. Stop it and quit?", fx(dialog::getContentText));
            assertEquals(List.of("Quit", "Cancel"), fx(() -> dialog.getButtonTypes().stream().map(ButtonType::getText).toList()));
            robot.clickOn("Cancel");
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(fx(stage::isShowing));
            assertTrue(fx(() -> vm.busyProperty().get()), "Cancel keeps the run");
        } finally {
            engine.countDown();
        }
        awaitIdle();
        assertEquals("Run finished", fx(() -> vm.statusProperty().get()));
    }

    @Test
    void quitClosesAfterTheWaitWhenTheEngineDoesNotAnswer() throws Exception {
        awaitIdle();
        answer(true, Duration.millis(300));
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.generate();
                return null;
            });
            requestClose();
            awaitClosed();
            assertTrue(fx(() -> vm.busyProperty().get()), "closed although the engine thread is still held");
        } finally {
            engine.countDown();
        }
        awaitIdle();
    }

    @Test
    void cancelDuringALoadLetsItFinish() throws Exception {
        awaitIdle();
        answer(false);
        CountDownLatch engine = holdEngine();
        try {
            fx(() -> {
                vm.loadModel();
                return null;
            });
            requestClose();
            assertEquals(List.of("A model is loading. Stop it and quit?"), asked);
        } finally {
            engine.countDown();
        }
        awaitIdle();
        assertNotNull(fx(() -> vm.configProperty().get()), "the load completed");
        assertTrue(fx(stage::isShowing));
    }

    @Test
    void quitDuringAnExportCancelsItAndTheOldFileStays() throws Exception {
        awaitIdle();
        answer(true);
        Path file = dir.resolve("routing.csv");
        byte[] old = "step,phase\r\n0,prefill\r\n".getBytes();
        Files.write(file, old);
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        fx(() -> window.exports().write("Routing", file, () -> AtomicFileWriter.write(file, out -> {
            out.write(new byte[100_000]);
            writing.countDown();
            try {
                never.await();   // an export that would take forever; cancelling interrupts it
            } catch (InterruptedException e) {
                throw new InterruptedIOException("cancelled");
            }
        })));
        assertTrue(writing.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        requestClose();
        assertEquals(List.of("An export is being written. Stop it (the file stays as it was) and quit?"), asked);
        awaitClosed();
        assertFalse(fx(() -> window.exports().writingProperty().get()));
        assertArrayEquals(old, Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "the export's temporary file is deleted");
        }
    }
}
