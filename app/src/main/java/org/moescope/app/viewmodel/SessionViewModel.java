package org.moescope.app.viewmodel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import javafx.animation.Animation;
import javafx.animation.PauseTransition;
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
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
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
import javafx.util.Duration;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.CompareTask;
import org.moescope.app.service.EngineExecutor;
import org.moescope.app.service.ErrorMessages;
import org.moescope.app.service.LoadModelTask;
import org.moescope.app.service.RunMode;
import org.moescope.app.service.RunRequest;
import org.moescope.app.service.RunReplays;
import org.moescope.app.service.RunTask;
import org.moescope.app.service.TokenTraceTask;
import org.moescope.app.service.StepPacer;
import org.moescope.app.service.TokenTexts;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.MoeTokenTrace;
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
    /** Characters of generated text kept per sequence; a longer run shows its end (the run itself is not cut). */
    static final int MAX_TEXT_CHARS = 1 << 16;
    /** Steps streaming in are shown at most this often (4 per second). */
    static final long PUBLISH_INTERVAL_MILLIS = 250;

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

    /** Why a field's text is not a value it accepts (views set or bind it); null when every field is valid. */
    private final StringProperty inputProblem = new SimpleStringProperty(this, "inputProblem");

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
    private final StepWindow stepWindow;
    private final ObservableList<StepResult> stepsView;
    private final ReadOnlyLongWrapper totalSteps = new ReadOnlyLongWrapper(this, "totalSteps");
    private final ReadOnlyStringWrapper stepsSummary = new ReadOnlyStringWrapper(this, "stepsSummary", "0 steps");

    private final TokenTexts tokenTexts = new TokenTexts();
    private final StepPacer pacer = new StepPacer();
    /** The switches as the engine thread reads them before each step. */
    private final AtomicReference<MoeOptions> liveSwitches = new AtomicReference<>();
    private final List<StringBuilder> sequenceTexts = new ArrayList<>();
    /** Steps handed over by the engine and not yet shown (see {@link #accept}). */
    private final List<StepResult> unpublished = new ArrayList<>();
    private long lastPublishNanos;
    /** Shows the unpublished steps when no more arrive; made on first use (an animation needs the FX toolkit). */
    private PauseTransition publishLater;
    /** Set once a sequence's text was cut to its last {@link #MAX_TEXT_CHARS} characters. */
    private boolean textCut;
    private String promptOfRun = "";
    private final PromptMemory prompts = new PromptMemory(prompt);
    private InferenceSession session;
    private Task<?> current;
    /** Counts cleared runs, so that late steps of a stopped run do not land in the next one. */
    private long runGeneration;

    public SessionViewModel() {
        this(windowCapacity());
    }

    /** @param stepWindow the steps of a run kept in full (see {@link StepWindow}) */
    public SessionViewModel(int stepWindow) {
        this.stepWindow = new StepWindow(stepWindow);
        stepsView = FXCollections.unmodifiableObservableList(this.stepWindow.steps());
        liveSwitches.set(switches());
        for (var p : List.of(fusedGateUpSilu, hostTopk, directDispatch, profiling, q8Activations)) {
            p.addListener((obs, was, is) -> liveSwitches.set(switches()));
        }
    }

    private static int windowCapacity() {
        try {
            return StepWindow.configuredCapacity();
        } catch (IllegalArgumentException e) {
            System.err.println("moescope: " + e.getMessage() + "; keeping " + StepWindow.DEFAULT_CAPACITY);
            return StepWindow.DEFAULT_CAPACITY;
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

    /**
     * Loads {@link #modelProperty() model} on {@link #deviceProperty() device}. The current model stays loaded (and
     * its run shown) until the new one has loaded; when the load fails or is cancelled it stays usable, unless the
     * two did not fit in memory together (see {@link LoadModelTask}).
     */
    public void loadModel() {
        if (busy.get()) {
            return;
        }
        String argument = model.get() == null ? "" : model.get().trim();
        String selector = device.get() == null ? "java" : device.get().selector();
        LoadModelTask task = new LoadModelTask(model.get(), selector, session);
        task.setOnSucceeded(e -> {
            session = task.getValue();
            clearRun();
            comparison.set(null);
            config.set(session.config());
            modelName.set(session.modelName());
            weightTypes.set(session.weightTypes());
            rememberRecent(argument);
            loadedDevice.set(session.device());
            hasTokenizer.set(session.hasTokenizer());
            String note = prompts.modelLoaded(session.hasTokenizer());
            status.set("Loaded " + session.modelName() + " on " + session.device().name() + note);
        });
        loading.set(true);
        start(task, "Loading the model");
    }

    /** After a load that failed or was cancelled: the previous model is gone when the task had to close it. */
    private void afterUnsuccessfulLoad(LoadModelTask task) {
        if (task.previousClosed()) {
            session = null;
            clearRun();
            comparison.set(null);
            config.set(null);
            modelName.set("");
            weightTypes.set(null);
            loadedDevice.set(null);
        }
    }

    /** What a failed or cancelled load leaves loaded, for the status line. */
    private String whatStaysLoaded() {
        return session == null ? "no model is loaded" : modelName.get() + " stays loaded";
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

    /** Cancels a model load before its next tensor; nothing of that model stays loaded, the one before it does. */
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

    /**
     * Traces row {@code row} of step {@code step} of the run through MoE layer {@code layer} (the teaching walk) and
     * hands the trace to {@code onTrace} on the FX thread; failures show as every engine failure does.
     */
    public void traceToken(int step, int layer, int row, java.util.function.Consumer<MoeTokenTrace> onTrace) {
        if (!canRun()) {
            return;
        }
        try {
            TokenTraceTask task = new TokenTraceTask(session, RunReplays.of(stepsView), step, layer, row);
            task.setOnSucceeded(e -> {
                status.set("Traced step " + step + ", layer " + layer + ", token " + row);
                onTrace.accept(task.getValue());
            });
            start(task, "Tracing a token");
        } catch (IllegalArgumentException e) {
            reportError(e.getMessage());
        }
    }

    private boolean canRun() {
        if (busy.get()) {
            return false;
        }
        if (session == null) {
            reportError("No model is loaded: choose a model and press Load.");
            return false;
        }
        if (inputProblem.get() != null) {
            reportError(inputProblem.get());
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

    /**
     * FX thread: steps arrived (in order). They are shown at most every {@link #PUBLISH_INTERVAL_MILLIS} ms, in one
     * list change: every view rebuilds on a change, and a fast engine would otherwise keep the FX thread rebuilding.
     */
    private void accept(List<StepResult> arrived) {
        unpublished.addAll(arrived);
        if (System.nanoTime() - lastPublishNanos >= PUBLISH_INTERVAL_MILLIS * 1_000_000L) {
            publishSteps();
        } else {
            if (publishLater == null) {
                publishLater = new PauseTransition(Duration.millis(PUBLISH_INTERVAL_MILLIS));
                publishLater.setOnFinished(e -> publishSteps());
            }
            if (publishLater.getStatus() != Animation.Status.RUNNING) {
                publishLater.playFromStart();
            }
        }
    }

    /** FX thread: shows the steps that arrived since the last time. */
    private void publishSteps() {
        if (publishLater != null) {
            publishLater.stop();
        }
        if (unpublished.isEmpty()) {
            return;
        }
        List<StepResult> arrived = new ArrayList<>(unpublished);
        unpublished.clear();
        lastPublishNanos = System.nanoTime();
        stepWindow.addAll(arrived);
        for (StepResult step : arrived) {
            for (int s = 0; s < step.newText().length && s < sequenceTexts.size(); s++) {
                // without a tokenizer the text is the token ids, as the prompt is
                StringBuilder b = sequenceTexts.get(s);
                b.append(hasTokenizer.get() ? step.newText()[s] : " " + step.newTokens()[s]);
                if (b.length() > MAX_TEXT_CHARS) {
                    b.delete(0, b.length() - MAX_TEXT_CHARS / 2);
                    textCut = true;
                }
            }
        }
        text.set(renderText());
        runActive.set(!arrived.get(arrived.size() - 1).finished());
        metrics.set(stepWindow.metrics());
        showStepCount();
    }

    private void showStepCount() {
        totalSteps.set(stepWindow.totalSteps());
        stepsSummary.set(stepWindow.summary());
    }

    private String renderText() {
        if (sequenceTexts.size() <= 1) {
            return promptOfRun + (textCut ? " […] " : "") + (sequenceTexts.isEmpty() ? "" : sequenceTexts.get(0));
        }
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < sequenceTexts.size(); s++) {
            b.append("[sequence ").append(s).append("] ").append(promptOfRun).append(textCut ? " […] " : "")
                    .append(sequenceTexts.get(s)).append("\n\n");
        }
        return b.toString();
    }

    private void clearRun() {
        runGeneration++;
        unpublished.clear();
        if (publishLater != null) {
            publishLater.stop();
        }
        stepWindow.clear();
        showStepCount();
        sequenceTexts.clear();
        textCut = false;
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
            if (task instanceof RunTask && (state == Worker.State.SUCCEEDED || state == Worker.State.CANCELLED
                    || state == Worker.State.FAILED)) {
                publishSteps();   // before the handlers read runActive
            }
            if (state == Worker.State.FAILED) {
                if (task instanceof RunTask) {
                    runActive.set(false);
                }
                String message = ErrorMessages.describe(action, task.getException());
                if (task instanceof LoadModelTask load && session != null && !load.previousClosed()) {
                    message += " (" + whatStaysLoaded() + ")";
                }
                reportError(message);
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
                        publishSteps();   // the step in flight when a run was stopped
                        current = null;
                        progress.unbind();
                        progress.set(0);
                        if (task instanceof LoadModelTask load && load.getState() != Worker.State.SUCCEEDED) {
                            afterUnsuccessfulLoad(load);
                            if (load.isCancelled()) {
                                // said only now: until here the engine was still freeing what it had loaded
                                status.set("Load cancelled: " + whatStaysLoaded());
                            }
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
    /**
     * Why a field's text is not a value it accepts ("Top-p: '1e3' is not a number: ..."), set by the view that
     * holds the field; null when every field is valid. Prefill, Step, Generate and A/B refuse to run while it is set.
     */
    public StringProperty inputProblemProperty() { return inputProblem; }
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

    /**
     * Steps of the current run in order (prefill first), appended on the FX thread as each completes; in a run
     * longer than the step window (see {@link StepWindow}) the last ones only, the older ones counted in
     * {@link #totalStepsProperty()} and {@link #metricsProperty()}.
     */
    public ObservableList<StepResult> steps() { return stepsView; }
    /** Steps of the current run, including those no longer kept in {@link #steps()}. */
    public ReadOnlyLongProperty totalStepsProperty() { return totalSteps.getReadOnlyProperty(); }
    /** "12 steps", or "showing the last 4,096 of 250,000 steps; older steps summarised" in a long run. */
    public ReadOnlyStringProperty stepsSummaryProperty() { return stepsSummary.getReadOnlyProperty(); }
    /** Steps of a run kept in full ({@value StepWindow#PROPERTY}). */
    public int stepWindowCapacity() { return stepWindow.capacity(); }

    /** Token id → text piece, safe on the FX thread. */
    public IntFunction<String> tokenText() { return tokenTexts; }

    /** True when a run can start: {@link #readyProperty() ready} and every field holds a valid value. */
    public BooleanBinding canRunProperty() {
        return Bindings.createBooleanBinding(() -> config.get() != null && !busy.get() && inputProblem.get() == null,
                config, busy, inputProblem);
    }

    /** True when a model is loaded and nothing runs. */
    public BooleanBinding readyProperty() {
        return Bindings.createBooleanBinding(() -> config.get() != null && !busy.get(), config, busy);
    }
}
