package org.moescope.app.viewmodel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import javafx.application.Platform;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.concurrent.Worker;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.CompareTask;
import org.moescope.app.service.EngineExecutor;
import org.moescope.app.service.ErrorMessages;
import org.moescope.app.service.LoadModelTask;
import org.moescope.app.service.PromptTokens;
import org.moescope.app.service.RunMode;
import org.moescope.app.service.RunRequest;
import org.moescope.app.service.RunTask;
import org.moescope.app.service.StepPacer;
import org.moescope.app.service.TokenTexts;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;

/**
 * The state of the app and its commands. Views bind to the read-write inputs (model, device, prompt, sampling,
 * switches) and observe the read-only outputs (model facts, busy/progress/status, the recorded {@link #steps()},
 * the generated text, the last error). All properties live on the FX thread; engine work runs in tasks on
 * {@link EngineExecutor}, which hand results back on the FX thread.
 */
public final class SessionViewModel {
    /** The prompt put in place for a model without a tokenizer, when the prompt is not token ids already. */
    public static final String DEFAULT_ID_PROMPT = "1 2 3 4 5 6 7 8";

    // inputs
    private final StringProperty model = new SimpleStringProperty(this, "model", "");
    private final ObjectProperty<DeviceChoice> device = new SimpleObjectProperty<>(this, "device");
    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", "There was a young lady of");
    private final IntegerProperty maxNewTokens = new SimpleIntegerProperty(this, "maxNewTokens", 16);
    private final IntegerProperty batch = new SimpleIntegerProperty(this, "batch", 1);
    /** The KV cache type of the next run (Prefill, or Step/Generate with no run active). */
    private final ObjectProperty<DType> kvCacheDType = new SimpleObjectProperty<>(this, "kvCacheDType", DType.F32);
    private final DoubleProperty temperature = new SimpleDoubleProperty(this, "temperature", 0);
    private final DoubleProperty topP = new SimpleDoubleProperty(this, "topP", 1);
    private final LongProperty seed = new SimpleLongProperty(this, "seed", 42);
    private final BooleanProperty fusedGateUpSilu = new SimpleBooleanProperty(this, "fusedGateUpSilu", true);
    private final BooleanProperty hostTopk = new SimpleBooleanProperty(this, "hostTopk", false);
    private final BooleanProperty directDispatch = new SimpleBooleanProperty(this, "directDispatch", false);
    private final BooleanProperty profiling = new SimpleBooleanProperty(this, "profiling", true);
    private final BooleanProperty q8Activations = new SimpleBooleanProperty(this, "q8Activations", false);

    // outputs
    private final ReadOnlyObjectWrapper<ModelConfig> config = new ReadOnlyObjectWrapper<>(this, "config");
    private final ReadOnlyStringWrapper modelName = new ReadOnlyStringWrapper(this, "modelName", "");
    private final ReadOnlyObjectWrapper<WeightTypes> weightTypes = new ReadOnlyObjectWrapper<>(this, "weightTypes");
    /** Models loaded before, newest first (folders, GGUF files, presets; not the bundled sample). */
    private final ObservableList<String> recentModels = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<DeviceInfo> loadedDevice = new ReadOnlyObjectWrapper<>(this, "loadedDevice");
    private final ReadOnlyBooleanWrapper hasTokenizer = new ReadOnlyBooleanWrapper(this, "hasTokenizer");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    /** A model load runs (busy too), from Load until the engine thread is free again. */
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper(this, "loading");
    private final ReadOnlyBooleanWrapper runActive = new ReadOnlyBooleanWrapper(this, "runActive");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "No model loaded");
    private final ReadOnlyStringWrapper text = new ReadOnlyStringWrapper(this, "text", "");
    private final ReadOnlyStringWrapper lastError = new ReadOnlyStringWrapper(this, "lastError");
    private final ReadOnlyObjectWrapper<RunMetrics> metrics = new ReadOnlyObjectWrapper<>(this, "metrics", RunMetrics.EMPTY);
    private final ReadOnlyObjectWrapper<CompareTask.Result> comparison = new ReadOnlyObjectWrapper<>(this, "comparison");
    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private final ObservableList<StepResult> stepsView = FXCollections.unmodifiableObservableList(steps);

    private final TokenTexts tokenTexts = new TokenTexts();
    private final StepPacer pacer = new StepPacer();
    /** The switches as the engine thread reads them before each step. */
    private final AtomicReference<MoeOptions> liveSwitches = new AtomicReference<>();
    private final List<StringBuilder> sequenceTexts = new ArrayList<>();
    private String promptOfRun = "";
    private InferenceSession session;
    private Task<?> current;
    /** Counts cleared runs, so that late steps of a stopped run do not land in the next one. */
    private long runGeneration;

    public SessionViewModel() {
        liveSwitches.set(switches());
        for (var p : List.of(fusedGateUpSilu, hostTopk, directDispatch, profiling, q8Activations)) {
            p.addListener((obs, was, is) -> liveSwitches.set(switches()));
        }
    }

    // ---------------------------------------------------------------- commands

    /**
     * Chooses {@code path} (a model folder or a GGUF file, from the chooser or a drop on the window) and loads it.
     * Does nothing while the engine is busy.
     */
    public void openModel(java.nio.file.Path path) {
        if (busy.get() || path == null) {
            return;
        }
        model.set(path.toAbsolutePath().toString());
        loadModel();
    }

    /** Loads {@link #modelProperty() model} on {@link #deviceProperty() device}; the previous model is closed. */
    public void loadModel() {
        if (busy.get()) {
            return;
        }
        InferenceSession previous = session;
        session = null;
        clearRun();
        comparison.set(null);
        config.set(null);
        modelName.set("");
        weightTypes.set(null);
        loadedDevice.set(null);
        String argument = model.get() == null ? "" : model.get().trim();
        String selector = device.get() == null ? "java" : device.get().selector();
        LoadModelTask task = new LoadModelTask(model.get(), selector, previous);
        task.setOnSucceeded(e -> {
            session = task.getValue();
            config.set(session.config());
            modelName.set(session.modelName());
            weightTypes.set(session.weightTypes());
            rememberRecent(argument);
            loadedDevice.set(session.device());
            hasTokenizer.set(session.hasTokenizer());
            String note = "";
            if (!session.hasTokenizer() && !PromptTokens.isIdList(prompt.get())) {
                prompt.set(DEFAULT_ID_PROMPT);
                note = " (no tokenizer: the prompt is token ids)";
            }
            status.set("Loaded " + session.modelName() + " on " + session.device().name() + note);
        });
        loading.set(true);
        start(task, "Loading the model");
    }

    private void rememberRecent(String argument) {
        if (argument.isEmpty()) {
            return;
        }
        recentModels.remove(argument);
        recentModels.add(0, argument);
        if (recentModels.size() > AppPreferences.MAX_RECENT) {
            recentModels.remove(AppPreferences.MAX_RECENT, recentModels.size());
        }
    }

    /** Cancels a model load before its next tensor; nothing of that model, nor of the one before it, stays loaded. */
    public void cancelLoad() {
        if (current instanceof LoadModelTask && !current.isDone()) {
            status.set("Cancelling the load");
            current.cancel(false);
        }
    }

    /** Starts a new run: tokenizes the prompt and prefills it (step 0). */
    public void prefill() {
        run(RunMode.PREFILL);
    }

    /** One decode step (prefills first when no run is active). */
    public void step() {
        run(RunMode.STEP);
    }

    /** Decodes until every sequence is finished or {@link #stop()} (prefills first when no run is active). */
    public void generate() {
        run(RunMode.GENERATE);
    }

    /** Stops a Generate or an A/B compare after the step in flight, or cancels a model load. */
    public void stop() {
        if (current instanceof LoadModelTask) {
            cancelLoad();
            return;
        }
        // isDone, not isRunning: the running state reaches the FX thread only after the task has started
        if (current != null && !current.isDone()) {
            status.set("Stopping after this step");
            current.cancel(false);
        }
    }

    /** Forgets the run (keeps the model loaded). */
    public void reset() {
        if (busy.get() || session == null) {
            return;
        }
        InferenceSession s = session;
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() {
                s.reset();
                return null;
            }
        };
        task.setOnSucceeded(e -> status.set("Reset"));
        clearRun();
        comparison.set(null);
        start(task, "Reset");
    }

    /**
     * Closes the loaded model and frees its device memory, for quitting (stop the run first): on the engine thread,
     * after the task in flight. The returned future completes there, also when closing failed.
     */
    public java.util.concurrent.CompletableFuture<Void> closeModel() {
        InferenceSession s = session;
        session = null;
        config.set(null);
        modelName.set("");
        loadedDevice.set(null);
        return java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                if (s != null) {
                    s.close();
                }
            } catch (RuntimeException e) {
                System.err.println("moescope: " + ErrorMessages.describe("Closing the model", e));
            }
        }, EngineExecutor.get());
    }

    /**
     * Runs the prompt with switches A and B alternately, {@code repeats} times each (profiling on), and publishes
     * the per-stage comparison of the medians. Ends the current run.
     */
    public void compare(MoeOptions a, MoeOptions b, boolean warmUp, int repeats) {
        if (!canRun()) {
            return;
        }
        RunRequest request = request();
        if (request == null) {
            return;
        }
        CompareTask task = new CompareTask(session, request, a, b, warmUp, repeats);
        clearRun();
        task.setOnSucceeded(e -> {
            comparison.set(task.getValue());
            status.set(String.format(java.util.Locale.ROOT, "A/B done: B − A = %+.1f %% device time",
                    task.getValue().comparison().totalDeltaPercent()));
        });
        start(task, "A/B compare");
    }

    private void run(RunMode mode) {
        if (!canRun()) {
            return;
        }
        RunRequest request = request();
        if (request == null) {
            return;
        }
        boolean startNew = mode == RunMode.PREFILL || !runActive.get();
        if (startNew) {
            clearRun();
            promptOfRun = request.prompt();
            for (int i = 0; i < request.batch(); i++) {
                sequenceTexts.add(new StringBuilder());
            }
            text.set(renderText());
        }
        long generation = runGeneration;
        RunTask task = new RunTask(session, mode, request, startNew, liveSwitches::get, tokenTexts, arrived -> {
            // steps of a run that was cleared meanwhile (Stop, then a new Prefill) are dropped
            if (generation == runGeneration) {
                accept(arrived);
            }
        }).pacedBy(pacer);
        task.setOnSucceeded(e -> status.set(runActive.get() ? "Ready for the next step" : "Run finished"));
        start(task, mode == RunMode.GENERATE ? "Generate" : mode == RunMode.STEP ? "Step" : "Prefill");
    }

    private boolean canRun() {
        if (busy.get()) {
            return false;
        }
        if (session == null) {
            reportError("No model is loaded: choose a model and press Load.");
            return false;
        }
        return true;
    }

    private RunRequest request() {
        try {
            return new RunRequest(prompt.get(), batch.get(), maxNewTokens.get(),
                    new SamplingSettings((float) temperature.get(), (float) topP.get(), seed.get()), kvCacheDType.get());
        } catch (IllegalArgumentException e) {
            reportError(e.getMessage());
            return null;
        }
    }

    /** FX thread: steps arrived (in order); one list change for all of them. */
    private void accept(List<StepResult> arrived) {
        steps.addAll(arrived);
        for (StepResult step : arrived) {
            for (int s = 0; s < step.newText().length && s < sequenceTexts.size(); s++) {
                // without a tokenizer the text is the token ids, as the prompt is
                sequenceTexts.get(s).append(hasTokenizer.get() ? step.newText()[s] : " " + step.newTokens()[s]);
            }
        }
        text.set(renderText());
        runActive.set(!arrived.get(arrived.size() - 1).finished());
        metrics.set(RunMetrics.of(steps));
    }

    private String renderText() {
        if (sequenceTexts.size() <= 1) {
            return promptOfRun + (sequenceTexts.isEmpty() ? "" : sequenceTexts.get(0));
        }
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < sequenceTexts.size(); s++) {
            b.append("[sequence ").append(s).append("] ").append(promptOfRun).append(sequenceTexts.get(s)).append("\n\n");
        }
        return b.toString();
    }

    private void clearRun() {
        runGeneration++;
        steps.clear();
        sequenceTexts.clear();
        promptOfRun = "";
        text.set("");
        runActive.set(false);
        metrics.set(RunMetrics.EMPTY);
        tokenTexts.clear();
    }

    private void start(Task<?> task, String action) {
        current = task;
        busy.set(true);
        lastError.set(null);
        progress.unbind();
        progress.bind(task.progressProperty());
        status.set(action);
        task.messageProperty().addListener((obs, was, is) -> {
            if (is != null && !is.isBlank() && task == current && !task.isCancelled()) {
                status.set(is);
            }
        });
        task.stateProperty().addListener((obs, was, state) -> {
            if (state == Worker.State.FAILED) {
                if (task instanceof RunTask) {
                    runActive.set(false);
                }
                reportError(ErrorMessages.describe(action, task.getException()));
            } else if (state == Worker.State.CANCELLED && !(task instanceof LoadModelTask)) {
                status.set("Stopped");
            }
        });
        // busy until the engine thread is really free: a cancelled task still finishes the step in flight
        EngineExecutor.get().execute(() -> {
            try {
                task.run();
            } finally {
                Platform.runLater(() -> {
                    if (current == task) {
                        current = null;
                        progress.unbind();
                        progress.set(0);
                        if (task instanceof LoadModelTask && task.isCancelled()) {
                            // said only now: until here the engine was still freeing what it had loaded
                            status.set("Load cancelled: no model is loaded");
                        }
                        loading.set(false);
                        busy.set(false);
                    }
                });
            }
        });
    }

    private void reportError(String message) {
        lastError.set(null);
        lastError.set(message);
        status.set(message);
    }

    /** Shows a failure of a view's own action (an export) as the app shows engine failures. */
    public void showError(String message) {
        reportError(message);
    }

    /** Puts a line in the status bar. */
    public void showStatus(String message) {
        status.set(message);
    }

    /** The switch state the next step runs with. */
    public MoeOptions switches() {
        return new MoeOptions(fusedGateUpSilu.get(), hostTopk.get(), directDispatch.get(), profiling.get(),
                q8Activations.get());
    }

    public void setSwitches(MoeOptions options) {
        fusedGateUpSilu.set(options.fusedGateUpSilu());
        hostTopk.set(options.hostTopk());
        directDispatch.set(options.directDispatch());
        profiling.set(options.profiling());
        q8Activations.set(options.q8Activations());
    }

    // ---------------------------------------------------------------- properties

    public StringProperty modelProperty() { return model; }
    public ObjectProperty<DeviceChoice> deviceProperty() { return device; }
    public StringProperty promptProperty() { return prompt; }
    public IntegerProperty maxNewTokensProperty() { return maxNewTokens; }
    public IntegerProperty batchProperty() { return batch; }
    public ObjectProperty<DType> kvCacheDTypeProperty() { return kvCacheDType; }
    public DoubleProperty temperatureProperty() { return temperature; }
    public DoubleProperty topPProperty() { return topP; }
    public LongProperty seedProperty() { return seed; }
    public BooleanProperty fusedGateUpSiluProperty() { return fusedGateUpSilu; }
    public BooleanProperty hostTopkProperty() { return hostTopk; }
    public BooleanProperty directDispatchProperty() { return directDispatch; }
    public BooleanProperty profilingProperty() { return profiling; }
    /** Quantized experts only: Q8_0 activations and integer dot products from the next step. */
    public BooleanProperty q8ActivationsProperty() { return q8Activations; }
    /** Models loaded before, newest first; the app restores and saves it with the preferences. */
    public ObservableList<String> recentModels() { return recentModels; }
    /** The pace of Generate's decode steps (for demos); Stop ends a pause at once. */
    public StepPacer pacer() { return pacer; }

    public ReadOnlyObjectProperty<ModelConfig> configProperty() { return config.getReadOnlyProperty(); }
    public ReadOnlyStringProperty modelNameProperty() { return modelName.getReadOnlyProperty(); }
    /** The loaded model's weight types (null when none is loaded). */
    public ReadOnlyObjectProperty<WeightTypes> weightTypesProperty() { return weightTypes.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<DeviceInfo> loadedDeviceProperty() { return loadedDevice.getReadOnlyProperty(); }
    /** False for models whose prompt is typed as token ids. */
    public ReadOnlyBooleanProperty hasTokenizerProperty() { return hasTokenizer.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty loadingProperty() { return loading.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty runActiveProperty() { return runActive.getReadOnlyProperty(); }
    public ReadOnlyDoubleProperty progressProperty() { return progress.getReadOnlyProperty(); }
    public ReadOnlyStringProperty statusProperty() { return status.getReadOnlyProperty(); }
    public ReadOnlyStringProperty textProperty() { return text.getReadOnlyProperty(); }
    /** The last failure as a sentence for the user; set anew for every failure, cleared when a task starts. */
    public ReadOnlyStringProperty lastErrorProperty() { return lastError.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<RunMetrics> metricsProperty() { return metrics.getReadOnlyProperty(); }
    public ReadOnlyObjectProperty<CompareTask.Result> comparisonProperty() { return comparison.getReadOnlyProperty(); }

    /** Steps of the current run in order (prefill first), appended on the FX thread as each completes. */
    public ObservableList<StepResult> steps() { return stepsView; }

    /** Token id → text piece, safe on the FX thread. */
    public IntFunction<String> tokenText() { return tokenTexts; }

    /** True when a model is loaded and nothing runs. */
    public BooleanBinding readyProperty() {
        return Bindings.createBooleanBinding(() -> config.get() != null && !busy.get(), config, busy);
    }
}
