package org.moescope.engine.model;

/** Progress of loading weights: fraction in [0, 1] and what is being loaded ("layer 3/48: experts"). */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (fraction, message) -> { };

    void progress(double fraction, String message);
}
