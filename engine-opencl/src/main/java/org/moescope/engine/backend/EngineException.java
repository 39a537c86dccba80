package org.moescope.engine.backend;

/** A failure of the engine that a user can act on: the message says what went wrong and with what. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
