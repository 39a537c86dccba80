package org.moescope.app.view;

import java.io.File;
import java.math.BigDecimal;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
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
    /** The field limits; the engine checks its own, these keep a typo from starting a very long run. */
    static final int MAX_NEW_TOKENS = 8192;
    static final int MAX_BATCH = 64;

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
        // device names run long (80 characters for POCL's): the chosen one shows its compact name, the list and the
        // tooltip the full one
        deviceBox.setButtonCell(new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(DeviceChoice item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.compactName());
            }
        });
        Tooltip deviceTip = new Tooltip();
        deviceTip.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> deviceBox.getValue() == null ? "The device the next Load opens" : deviceBox.getValue().toString(),
                deviceBox.valueProperty()));
        deviceBox.setTooltip(deviceTip);
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
        List<NumberField<?>> fields = List.of(
                new NumberField<>("max-tokens-spinner", "Max new tokens", NumberRule.whole(1, MAX_NEW_TOKENS),
                        new SpinnerValueFactory.IntegerSpinnerValueFactory(1, MAX_NEW_TOKENS, 16),
                        BigDecimal::intValueExact, vm.maxNewTokensProperty().asObject()),
                new NumberField<>("batch-spinner", "Batch", NumberRule.whole(1, MAX_BATCH),
                        new SpinnerValueFactory.IntegerSpinnerValueFactory(1, MAX_BATCH, 1),
                        BigDecimal::intValueExact, vm.batchProperty().asObject()),
                new NumberField<>("temperature-spinner", "Temperature", NumberRule.decimal(0, 2),
                        new SpinnerValueFactory.DoubleSpinnerValueFactory(0, 2, 0, 0.1),
                        BigDecimal::doubleValue, vm.temperatureProperty().asObject()),
                new NumberField<>("top-p-spinner", "Top-p", NumberRule.decimal(0.05, 1),
                        new SpinnerValueFactory.DoubleSpinnerValueFactory(0.05, 1, 1, 0.05),
                        BigDecimal::doubleValue, vm.topPProperty().asObject()),
                new NumberField<>("seed-spinner", "Seed", NumberRule.anyLong(), new LongValueFactory(),
                        BigDecimal::longValueExact, vm.seedProperty().asObject()));
        String[] labels = {"Max new tokens", "Batch", "Temperature", "Top-p", "Seed"};
        for (int i = 0; i < fields.size(); i++) {
            fields.get(i).spinner().setPrefWidth(140);
            grid.addRow(i, new Label(labels[i]), fields.get(i).spinner());
        }
        // the first field whose text is not allowed, or null: the view model refuses to run while it is set
        vm.inputProblemProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> fields.stream().map(f -> f.problemProperty().get()).filter(java.util.Objects::nonNull)
                        .findFirst().orElse(null),
                fields.stream().map(NumberField::problemProperty).toArray(javafx.beans.Observable[]::new)));
        ChoiceBox<DType> kvCache = new ChoiceBox<>(FXCollections.observableArrayList(DType.F32, DType.F16, DType.BF16));
        kvCache.setId("kv-cache-choice");
        kvCache.valueProperty().bindBidirectional(vm.kvCacheDTypeProperty());
        kvCache.setTooltip(new Tooltip("How the next run stores its keys and values (from its Prefill on): F16 and BF16"
                + " halve the cache's memory and the bytes attention reads, and round every stored key and value"));
        grid.addRow(5, new Label("KV cache"), kvCache);
        getChildren().add(grid);
        Label inputProblem = new Label();
        inputProblem.setId("input-problem-label");
        inputProblem.getStyleClass().add("input-problem");
        inputProblem.setWrapText(true);
        inputProblem.textProperty().bind(vm.inputProblemProperty());
        inputProblem.visibleProperty().bind(vm.inputProblemProperty().isNotNull());
        inputProblem.managedProperty().bind(inputProblem.visibleProperty());
        getChildren().add(inputProblem);

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
        // nothing runs while a field holds text that is not its value
        var cannotRun = vm.canRunProperty().not();
        prefill.disableProperty().bind(cannotRun);
        step.disableProperty().bind(cannotRun);
        generate.disableProperty().bind(cannotRun);
        reset.disableProperty().bind(vm.readyProperty().not());
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

    /** Seeds are longs; Spinner has no long factory. */
    private static final class LongValueFactory extends SpinnerValueFactory<Long> {
        LongValueFactory() {
            setValue(0L);
        }

        @Override
        public void decrement(int steps) {
            increment(-steps);
        }

        @Override
        public void increment(int steps) {
            long v = getValue();
            long next = v + steps;
            // saturate instead of wrapping from the largest seed to the smallest
            setValue(((v ^ next) & (steps ^ next)) < 0 ? (steps > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : next);
        }
    }
}
