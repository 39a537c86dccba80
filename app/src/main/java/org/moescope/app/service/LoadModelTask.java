package org.moescope.app.service;

import java.util.concurrent.atomic.AtomicReference;
import javafx.concurrent.Task;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;

/**
 * Loads a model on the engine thread, reporting the engine's progress, and closes the previous session only once
 * the new one has loaded: on failure or cancel the previous model stays loaded and usable. When the two do not fit
 * in memory together (the load fails with {@link DeviceMemoryException} or {@link OutOfMemoryError}) the previous
 * session is closed and the load tried once more; then {@link #previousClosed()} tells the caller that whatever the
 * outcome, the previous session is gone. Cancelling stops the load before the next tensor, and a session loaded
 * anyway (the cancel came as the load ended) is closed.
 */
public final class LoadModelTask extends Task<InferenceSession> {
    private final String modelArgument;
    private final String deviceSelector;
    private final InferenceSession previous;
    private volatile boolean previousClosed;
    /** The loaded session, closed by whichever of call() and cancelled() sees a cancel first. */
    private final AtomicReference<InferenceSession> unclaimed = new AtomicReference<>();

    /** @param modelArgument a folder or preset name as {@link ModelSource#parse} takes it; null or blank = the sample model */
    public LoadModelTask(String modelArgument, String deviceSelector, InferenceSession previous) {
        this.modelArgument = modelArgument == null || modelArgument.isBlank() ? null : modelArgument.trim();
        this.deviceSelector = deviceSelector;
        this.previous = previous;
    }

    /** True once the previous session was closed (after a successful load, or to make room for the new model). */
    public boolean previousClosed() {
        return previousClosed;
    }

    @Override
    protected InferenceSession call() {
        if (isCancelled()) {
            return null;   // cancelled before it started: open no device
        }
        ModelSource source = source(modelArgument);
        InferenceSession loaded;
        try {
            loaded = open(source);
        } catch (DeviceMemoryException | OutOfMemoryError e) {
            if (previous == null || isCancelled()) {
                throw e;
            }
            updateMessage("Not enough memory for two models: closing the previous one");
            closePrevious();
            loaded = open(source);
        }
        if (loaded == null) {
            return null;
        }
        unclaimed.set(loaded);
        if (isCancelled()) {
            closeUnclaimed();
            return null;
        }
        closePrevious();
        // still unclaimed: a cancel that lands before the task has succeeded closes it (see cancelled())
        return loaded;
    }

    /** FX thread: a cancel that came as the load ended must not leave the new session open. */
    @Override
    protected void cancelled() {
        if (unclaimed.get() != null) {
            EngineExecutor.get().execute(this::closeUnclaimed);
        }
    }

    private void closeUnclaimed() {
        InferenceSession s = unclaimed.getAndSet(null);
        if (s != null) {
            s.close();
        }
    }

    private void closePrevious() {
        if (previous != null && !previousClosed) {
            updateMessage("Closing the previous model");
            previousClosed = true;
            previous.close();
        }
    }

    private InferenceSession open(ModelSource source) {
        updateMessage("Loading " + describe(source));
        updateProgress(0, 1);
        updateMessage("Opening device " + (deviceSelector == null || deviceSelector.isBlank() ? "(default)" : deviceSelector));
        Backend backend = Backends.open(deviceSelector);
        // the session owns the backend from here on and closes it if loading fails; on OpenCL, opening it also
        // runs every kernel variant once so the first profiled steps do not show kernel build time
        // Cancel (or Stop) ends the load before the next tensor; the engine then frees what it had loaded
        return InferenceSession.open(source, backend, new LoadProgress() {
            @Override
            public void progress(double fraction, String message) {
                updateProgress(fraction, 1);
                updateMessage(message);
            }

            @Override
            public boolean cancelRequested() {
                return isCancelled();
            }
        });
    }

    /**
     * The model an argument names: what {@link ModelSource#parse} makes of it, where a synthetic preset may carry a
     * layer count after a colon ("qwen3-30b-a3b:4" = its first 4 layers) so that a big preset fits a small machine.
     */
    public static ModelSource source(String argument) {
        if (argument != null && argument.contains("/") && !java.nio.file.Files.exists(java.nio.file.Path.of(argument))) {
            throw new IllegalArgumentException("there is no folder " + argument);
        }
        try {
            return parseWithLayers(argument);
        } catch (IllegalArgumentException e) {
            // the engine words this for the command line ("--model ..."); the app has a model field
            throw new IllegalArgumentException(String.valueOf(e.getMessage()).replaceFirst("^--model ", "model "), e);
        }
    }

    private static ModelSource parseWithLayers(String argument) {
        if (argument != null && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(argument))) {
            int colon = argument.lastIndexOf(':');
            if (colon > 0 && argument.substring(colon + 1).matches("\\d+")) {
                int layers = Integer.parseInt(argument.substring(colon + 1));
                if (ModelSource.parse(argument.substring(0, colon)) instanceof ModelSource.Synthetic s) {
                    return new ModelSource.Synthetic(s.presetOrConfig(), layers, s.dtype(), s.seed());
                }
            }
        }
        return ModelSource.parse(argument);
    }

    static String describe(ModelSource source) {
        return switch (source) {
            case ModelSource.Folder f -> f.dir().toString();
            case ModelSource.Gguf g -> g.file().toString();
            case ModelSource.Synthetic s -> "synthetic " + s.presetOrConfig() + (s.layers() > 0 ? " (" + s.layers() + " layers)" : "");
        };
    }
}
