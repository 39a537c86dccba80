package org.moescope.engine.model;

import org.moescope.engine.backend.EngineException;

/** The load stopped because its {@link LoadProgress} asked it to; everything it had allocated was freed. */
public final class LoadCancelledException extends EngineException {
    public LoadCancelledException() {
        super("loading was cancelled; nothing of the model stays loaded");
    }
}
