package org.moescope.engine.session;

/** Progress of a long operation (model load): fraction in [0,1], a message such as "layer 3/48: experts". Called from the loading thread. */
@FunctionalInterface
public interface LoadListener {
    /** Ignores progress. */
    LoadListener NONE = (fraction, message) -> { };

    void progress(double fraction, String message);
}
