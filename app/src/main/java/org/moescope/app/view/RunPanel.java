package org.moescope.app.view;

import java.io.File;
import java.util.List;
import javafx.beans.property.Property;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.moescope.app.viewmodel.DeviceChoice;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelPresets;

/**
 * The left panel: model (folder, chooser, synthetic presets), device, prompt, sampling and budget, the actions
 * Prefill / Step / Generate / Stop / Reset, and the live switches.
 */
public final class RunPanel extends VBox {

    private final SessionViewModel vm;
    private final TextField modelField = new TextField();
    private final ComboBox<DeviceChoice> deviceBox = new ComboBox<>();
    private final SwitchPanel switches;
    private final MenuButton presets = new MenuButton("Presets");

    public RunPanel(SessionViewModel vm, List<DeviceChoice> devices) {
        super(10);
        this.vm = vm;
        getStyleClass().add("run-panel");
        setPadding(new Insets(12));
        setPrefWidth(360);

        getChildren().add(title("Model"));
        modelField.setId("model-field");
        modelField.setPromptText("bundled sample model");
        modelField.textProperty().bindBidirectional(vm.modelProperty());
        modelField.setTooltip(new Tooltip("A GGUF file (*.gguf), a Hugging Face model folder, a synthetic preset such as "
                + "qwen3-30b-a3b:4 (4 layers), or empty for the bundled sample model. A .gguf file or a model folder "
                + "dropped on the window loads too."));
        modelField.setOnAction(e -> vm.loadModel());
        HBox.setHgrow(modelField, Priority.ALWAYS);
        MenuItem openGguf = new MenuItem("GGUF file…");
        openGguf.setId("open-gguf-item");
        openGguf.setOnAction(e -> chooseGgufFile());
        MenuItem openFolder = new MenuItem("Model folder…");
        openFolder.setId("open-folder-item");
        openFolder.setOnAction(e -> chooseFolder());
        MenuButton browse = new MenuButton("…", null, openGguf, openFolder);
        browse.setId("browse-button");
        browse.setTooltip(new Tooltip("Open a GGUF model file or a Hugging Face model folder"));
        presets.setId("presets-button");
        vm.recentModels().addListener((javafx.collections.ListChangeListener<String>) c -> fillPresets());
        fillPresets();
        getChildren().add(new HBox(6, modelField, browse, presets));

        deviceBox.setId("device-box");
        deviceBox.getItems().setAll(devices);
        deviceBox.valueProperty().bindBidirectional(vm.deviceProperty());
        deviceBox.setMaxWidth(Double.MAX_VALUE);
        Button load = button("Load", "load-button", Shortcut.LOAD_MODEL);
        // while a load runs the same button cancels it (Stop does too)
        load.textProperty().bind(javafx.beans.binding.Bindings.when(vm.loadingProperty()).then("Cancel").otherwise("Load"));
        load.setOnAction(e -> {
            if (vm.loadingProperty().get()) {
                vm.cancelLoad();
            } else {
                vm.loadModel();
            }
        });
        load.disableProperty().bind(vm.busyProperty().and(vm.loadingProperty().not()));
        load.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        deviceBox.setPrefWidth(200);
        HBox.setHgrow(deviceBox, Priority.ALWAYS);
        getChildren().add(new HBox(6, deviceBox, load));

        Label modelInfo = new Label();
        modelInfo.getStyleClass().add("model-info");
        modelInfo.setWrapText(true);
        modelInfo.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(() -> ModelSummary.of(vm),
                vm.configProperty(), vm.modelNameProperty(), vm.loadedDeviceProperty(), vm.weightTypesProperty()));
        getChildren().add(modelInfo);

        getChildren().add(title("Prompt"));
        TextArea prompt = new TextArea();
        prompt.setId("prompt-area");
        prompt.setWrapText(true);
        prompt.setPrefRowCount(4);
        prompt.textProperty().bindBidirectional(vm.promptProperty());
        getChildren().add(prompt);

        GridPane grid = new GridPane();
        grid.setHgap(8);
        grid.setVgap(6);
        grid.addRow(0, new Label("Max new tokens"), spinner("max-tokens-spinner", new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 8192, 16), vm.maxNewTokensProperty().asObject()));
        grid.addRow(1, new Label("Batch"), spinner("batch-spinner", new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 64, 1), vm.batchProperty().asObject()));
        grid.addRow(2, new Label("Temperature"), spinner("temperature-spinner", new SpinnerValueFactory.DoubleSpinnerValueFactory(0, 2, 0, 0.1), vm.temperatureProperty().asObject()));
        grid.addRow(3, new Label("Top-p"), spinner("top-p-spinner", new SpinnerValueFactory.DoubleSpinnerValueFactory(0.05, 1, 1, 0.05), vm.topPProperty().asObject()));
        grid.addRow(4, new Label("Seed"), spinner("seed-spinner", new LongValueFactory(), vm.seedProperty().asObject()));
        ChoiceBox<DType> kvCache = new ChoiceBox<>(FXCollections.observableArrayList(DType.F32, DType.F16, DType.BF16));
        kvCache.setId("kv-cache-choice");
        kvCache.valueProperty().bindBidirectional(vm.kvCacheDTypeProperty());
        kvCache.setTooltip(new Tooltip("How the next run stores its keys and values (from its Prefill on): F16 and BF16"
                + " halve the cache's memory and the bytes attention reads, and round every stored key and value"));
        grid.addRow(5, new Label("KV cache"), kvCache);
        getChildren().add(grid);

        Button prefill = button("Prefill", "prefill-button", Shortcut.PREFILL);
        prefill.setOnAction(e -> vm.prefill());
        Button step = button("Step", "step-button", Shortcut.STEP);
        step.setOnAction(e -> vm.step());
        Button generate = button("Generate", "generate-button", Shortcut.GENERATE);
        generate.getStyleClass().add("accent");
        generate.setOnAction(e -> vm.generate());
        Button stop = button("Stop", "stop-button", Shortcut.STOP);
        stop.setOnAction(e -> vm.stop());
        Button reset = button("Reset", "reset-button", Shortcut.RESET);
        reset.setOnAction(e -> vm.reset());
        var notReady = vm.readyProperty().not();
        prefill.disableProperty().bind(notReady);
        step.disableProperty().bind(notReady);
        generate.disableProperty().bind(notReady);
        reset.disableProperty().bind(notReady);
        stop.disableProperty().bind(vm.busyProperty().not());
        HBox actions = new HBox(6, prefill, step, generate);
        HBox control = new HBox(6, stop, reset);
        for (Button b : List.of(prefill, step, generate, stop, reset)) {
            b.setMaxWidth(Double.MAX_VALUE);
            HBox.setHgrow(b, Priority.ALWAYS);
        }
        getChildren().addAll(title("Run"), actions, control);

        switches = new SwitchPanel(vm);
        getChildren().add(switches);
    }

    public SwitchPanel switches() {
        return switches;
    }

    /** The presets menu: the sample model, the synthetic presets, then the models loaded before. */
    private void fillPresets() {
        presets.getItems().clear();
        MenuItem sample = new MenuItem("Bundled sample model");
        sample.setOnAction(e -> vm.modelProperty().set(""));
        presets.getItems().add(sample);
        for (String preset : ModelPresets.names()) {
            // the big presets also with a few layers, which load on a laptop
            int[] layerChoices = preset.equals("qwen3-tiny") ? new int[] {0} : new int[] {1, 4, 0};
            for (int layers : layerChoices) {
                String arg = layers == 0 ? preset : preset + ":" + layers;
                MenuItem item = new MenuItem("Synthetic " + preset + (layers == 0 ? " (all layers)" : " (" + layers + " layers)"));
                item.setOnAction(e -> vm.modelProperty().set(arg));
                presets.getItems().add(item);
            }
        }
        if (!vm.recentModels().isEmpty()) {
            presets.getItems().add(new javafx.scene.control.SeparatorMenuItem());
            presets.getItems().addAll(recentItems("Recent: "));
        }
    }

    /** One item per recent model (GGUF files and folders by path), each choosing and loading it. */
    List<MenuItem> recentItems(String prefix) {
        List<MenuItem> items = new java.util.ArrayList<>();
        for (String model : vm.recentModels()) {
            MenuItem item = new MenuItem(prefix + model);
            item.getStyleClass().add("recent-model-item");
            item.setMnemonicParsing(false);
            item.setOnAction(e -> {
                vm.modelProperty().set(model);
                vm.loadModel();
            });
            items.add(item);
        }
        return items;
    }

    private void chooseFolder() {
        File dir = ModelChooser.folderChooser(vm.modelProperty().get())
                .showDialog(getScene() == null ? null : getScene().getWindow());
        if (dir != null) {
            vm.openModel(dir.toPath());
        }
    }

    private void chooseGgufFile() {
        File file = ModelChooser.ggufFileChooser(vm.modelProperty().get())
                .showOpenDialog(getScene() == null ? null : getScene().getWindow());
        if (file != null) {
            vm.openModel(file.toPath());
        }
    }

    /** Opens the folder chooser (File ▸ Open a model folder). */
    public void openFolder() {
        chooseFolder();
    }

    /** Opens the GGUF file chooser (File ▸ Open a GGUF model file). */
    public void openGgufFile() {
        chooseGgufFile();
    }

    private static Label title(String text) {
        Label label = new Label(text);
        label.getStyleClass().add("section-title");
        return label;
    }

    private static Button button(String text, String id, Shortcut shortcut) {
        Button button = new Button(text);
        button.setId(id);
        button.setTooltip(new Tooltip(shortcut.description() + " (" + shortcut.keys().getDisplayText() + ")"));
        return button;
    }

    private static <T> Spinner<T> spinner(String id, SpinnerValueFactory<T> factory, Property<T> property) {
        Spinner<T> spinner = new Spinner<>(factory);
        spinner.setId(id);
        spinner.setEditable(true);
        spinner.setPrefWidth(140);
        factory.setValue(property.getValue());
        factory.valueProperty().bindBidirectional(property);
        // keep the adapter property reachable as long as the spinner lives
        spinner.getProperties().put("bound", property);
        return spinner;
    }

    /** Seeds are longs; Spinner has no long factory. */
    private static final class LongValueFactory extends SpinnerValueFactory<Long> {
        LongValueFactory() {
            setConverter(new javafx.util.converter.LongStringConverter());
            setValue(0L);
        }

        @Override
        public void decrement(int steps) {
            setValue(getValue() - steps);
        }

        @Override
        public void increment(int steps) {
            setValue(getValue() + steps);
        }
    }
}
