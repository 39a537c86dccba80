package org.moescope.app.view;

import java.util.concurrent.TimeUnit;
import javafx.animation.PauseTransition;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.beans.Observable;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
import javafx.util.Duration;
import org.moescope.app.viewmodel.SessionViewModel;

/**
 * What closing the window does. Idle, it closes at once. During a run, a load, an A/B compare or an export it asks
 * first; Cancel keeps everything running, Quit stops cleanly: it cancels the work (a cancelled export leaves the old
 * file as it was), waits up to {@code wait} for the engine thread and the export threads to finish, closes the model
 * (its device memory), then closes the window, which ends the app.
 */
public final class CloseGuard {

    /** Asks the user whether to stop the work and quit; true = quit. */
    @FunctionalInterface
    public interface Confirmation {
        boolean quit(Stage owner, String question);
    }

    /** How long Quit waits for the step in flight and then for closing the model before it closes regardless. */
    public static final Duration DEFAULT_WAIT = Duration.seconds(10);

    private final Stage stage;
    private final SessionViewModel vm;
    private final ExportActions exports;
    private final Confirmation confirmation;
    private final Duration wait;
    private boolean quitting;

    private CloseGuard(Stage stage, MainWindow window, Confirmation confirmation, Duration wait) {
        this.stage = stage;
        this.vm = window.viewModel();
        this.exports = window.exports();
        this.confirmation = confirmation;
        this.wait = wait;
    }

    /** Guards closing {@code stage}, which shows {@code window}; replaces the stage's close-request handler. */
    public static CloseGuard install(Stage stage, MainWindow window, Confirmation confirmation, Duration wait) {
        CloseGuard guard = new CloseGuard(stage, window, confirmation, wait);
        stage.setOnCloseRequest(guard::onCloseRequest);
        return guard;
    }

    /** Guards with the confirmation dialog and {@link #DEFAULT_WAIT}. */
    public static CloseGuard install(Stage stage, MainWindow window) {
        return install(stage, window, CloseGuard::askWithDialog, DEFAULT_WAIT);
    }

    /** The question to ask before closing, or null when closing loses nothing. */
    public String question() {
        if (vm.loadingProperty().get()) {
            return "A model is loading. Stop it and quit?";
        }
        if (vm.busyProperty().get()) {
            return "A run is in progress. Stop it and quit?";
        }
        if (exports.writingProperty().get()) {
            return "An export is being written. Stop it (the file stays as it was) and quit?";
        }
        return null;
    }

    /** True from Quit until the window closes. */
    public boolean quitting() {
        return quitting;
    }

    private void onCloseRequest(WindowEvent event) {
        if (quitting) {
            event.consume();   // already stopping; the window closes when that is done
            return;
        }
        String question = question();
        if (question == null) {
            return;            // not consumed: the window closes now
        }
        event.consume();
        if (confirmation.quit(stage, question)) {
            quit();
        }
    }

    private void quit() {
        quitting = true;
        vm.stop();
        exports.cancelAll();
        whenIdle(() -> vm.closeModel()
                .completeOnTimeout(null, (long) wait.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ok, error) -> Platform.runLater(stage::close)));
    }

    /** Runs {@code then} once the engine and the exports are idle, or after {@link #wait} (a step that never ends). */
    private void whenIdle(Runnable then) {
        if (idle()) {
            then.run();
            return;
        }
        Observable[] state = {vm.busyProperty(), exports.writingProperty()};
        PauseTransition timeout = new PauseTransition(wait);
        InvalidationListener[] check = new InvalidationListener[1];
        Runnable done = () -> {
            timeout.stop();
            for (Observable o : state) {
                o.removeListener(check[0]);
            }
            then.run();
        };
        check[0] = obs -> {
            if (idle()) {
                done.run();
            }
        };
        for (Observable o : state) {
            o.addListener(check[0]);
        }
        timeout.setOnFinished(e -> done.run());
        timeout.play();
    }

    private boolean idle() {
        return !vm.busyProperty().get() && !exports.writingProperty().get();
    }

    /** The confirmation dialog: Quit or Cancel, Cancel the default. */
    public static boolean askWithDialog(Stage owner, String question) {
        ButtonType quit = new ButtonType("Quit", ButtonBar.ButtonData.OK_DONE);
        ButtonType cancel = new ButtonType("Cancel", ButtonBar.ButtonData.CANCEL_CLOSE);
        Alert alert = new Alert(Alert.AlertType.CONFIRMATION, question, quit, cancel);
        alert.initOwner(owner);
        alert.setTitle("Quit MoEScope");
        alert.setHeaderText(null);
        // Enter must not quit by accident: Cancel is the default
        ((Button) alert.getDialogPane().lookupButton(quit)).setDefaultButton(false);
        ((Button) alert.getDialogPane().lookupButton(cancel)).setDefaultButton(true);
        return alert.showAndWait().orElse(cancel) == quit;
    }
}
