package org.moescope.engine.model;

/**
 * Progress of loading a model: fraction in [0, 1] and what is being loaded ("layer 3/48: experts"). Called from the
 * loading thread. The loader also asks it, before each tensor, whether the load should stop (a user pressed Cancel).
 */
@FunctionalInterface
public interface LoadProgress {
    /** Ignores progress and never cancels. */
    LoadProgress NONE = (fraction, message) -> { };

    void progress(double fraction, String message);

    /** True once the load should stop; the loader then frees what it allocated and throws LoadCancelledException. */
    default boolean cancelRequested() {
        return false;
    }

    /** Throws {@link LoadCancelledException} when {@link #cancelRequested()}. */
    default void stopIfCancelled() {
        if (cancelRequested()) {
            throw new LoadCancelledException();
        }
    }
}
