package org.moescope.app;

import java.util.List;
import java.util.Objects;
import javafx.animation.PauseTransition;
import javafx.application.Application;
import javafx.collections.ListChangeListener;
import javafx.scene.Scene;
import javafx.scene.image.Image;
import javafx.stage.Stage;
import javafx.util.Duration;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.ErrorMessages;
import org.moescope.app.view.CloseGuard;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.DeviceChoice;
import org.moescope.app.viewmodel.SessionViewModel;

/**
 * The desktop app: restores the preferences, opens the main window and loads the last model (the bundled sample
 * model the first time). Preferences are saved as they change (a crash keeps them) and once more when the window
 * closes; closing the window during a run, a load or an export asks first ({@link CloseGuard}).
 */
public final class MoeScopeApp extends Application {
    static final String ASSETS = "/org/moescope/app/assets/";

    @Override
    public void start(Stage stage) {
        open(stage, AppPreferences.user(), true);
    }

    /**
     * Builds the window on {@code stage} from {@code prefs} and shows it.
     *
     * @param loadModel load the preferred model right away
     */
    public static MainWindow open(Stage stage, AppPreferences prefs, boolean loadModel) {
        SessionViewModel vm = new SessionViewModel();
        List<DeviceChoice> devices = devices();
        vm.modelProperty().set(prefs.model());
        vm.deviceProperty().set(devices.stream().filter(d -> d.selector().equals(prefs.device())).findFirst()
                .orElse(devices.isEmpty() ? null : devices.get(0)));
        vm.setSwitches(prefs.switches());
        vm.recentModels().setAll(prefs.recentModels());

        MainWindow window = new MainWindow(vm, devices);
        window.slides().usePreferences(prefs);
        Scene scene = new Scene(window, prefs.windowWidth(), prefs.windowHeight());
        applyTheme(scene, prefs.darkTheme());
        window.darkThemeProperty().set(prefs.darkTheme());
        window.darkThemeProperty().addListener((obs, was, dark) -> applyTheme(scene, dark));
        scene.getAccelerators().put(javafx.scene.input.KeyCombination.keyCombination("F1"), window::showHelp);

        stage.titleProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> vm.modelNameProperty().get().isEmpty() ? "MoEScope" : "MoEScope — " + vm.modelNameProperty().get(),
                vm.modelNameProperty()));
        for (int size : new int[] {16, 32, 64, 128}) {
            var icon = MoeScopeApp.class.getResourceAsStream(ASSETS + "icons/moescope-" + size + ".png");
            if (icon != null) {
                stage.getIcons().add(new Image(icon));
            }
        }
        stage.setScene(scene);
        savePreferencesOnChange(prefs, vm, window, scene);
        stage.setOnHidden(e -> {
            prefs.setModel(vm.modelProperty().get());
            prefs.setDevice(vm.deviceProperty().get() == null ? "" : vm.deviceProperty().get().selector());
            prefs.setSwitches(vm.switches());
            prefs.setRecentModels(vm.recentModels());
            prefs.setWindowSize(scene.getWidth(), scene.getHeight());
            prefs.setDarkTheme(window.darkThemeProperty().get());
        });
        CloseGuard.install(stage, window);
        stage.show();
        // start where the user types, not in the model field
        window.runPanel().lookup("#prompt-area").requestFocus();
        if (loadModel) {
            vm.loadModel();
        }
        return window;
    }

    /**
     * Writes each setting to the preferences when it changes. The model is saved once it has loaded (not at every
     * keystroke in the model field), the window size once resizing has paused.
     */
    private static void savePreferencesOnChange(AppPreferences prefs, SessionViewModel vm, MainWindow window,
                                                Scene scene) {
        vm.deviceProperty().addListener((obs, was, device) -> prefs.setDevice(device == null ? "" : device.selector()));
        for (var p : List.of(vm.fusedGateUpSiluProperty(), vm.hostTopkProperty(), vm.directDispatchProperty(),
                vm.profilingProperty(), vm.q8ActivationsProperty())) {
            p.addListener((obs, was, is) -> prefs.setSwitches(vm.switches()));
        }
        vm.recentModels().addListener((ListChangeListener<String>) change ->
                prefs.setRecentModels(List.copyOf(vm.recentModels())));
        vm.configProperty().addListener((obs, was, config) -> {
            if (config != null) {
                prefs.setModel(vm.modelProperty().get());
            }
        });
        window.darkThemeProperty().addListener((obs, was, dark) -> prefs.setDarkTheme(dark));
        PauseTransition resized = new PauseTransition(Duration.seconds(1));
        resized.setOnFinished(e -> prefs.setWindowSize(scene.getWidth(), scene.getHeight()));
        scene.widthProperty().addListener(obs -> resized.playFromStart());
        scene.heightProperty().addListener(obs -> resized.playFromStart());
    }

    private static List<DeviceChoice> devices() {
        try {
            return DeviceChoice.available();
        } catch (RuntimeException e) {
            System.err.println("moescope: " + ErrorMessages.describe("Listing devices", e));
            return List.of();
        }
    }

    /** The app's stylesheet and the light or dark theme on top. */
    static void applyTheme(Scene scene, boolean dark) {
        scene.getStylesheets().setAll(
                Objects.requireNonNull(MoeScopeApp.class.getResource(ASSETS + "styles/app.css")).toExternalForm(),
                Objects.requireNonNull(MoeScopeApp.class.getResource(ASSETS + "styles/" + (dark ? "dark" : "light") + ".css")).toExternalForm());
    }
}
