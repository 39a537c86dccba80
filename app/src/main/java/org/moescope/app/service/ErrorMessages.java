package org.moescope.app.service;

import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.EngineException;

/** Turns an engine failure into a sentence for the user (no stack trace). */
public final class ErrorMessages {
    private ErrorMessages() {
    }

    public static String describe(String action, Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        String detail = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof DeviceMemoryException) {
            // the engine's message names the buffer and the bytes; say what the user can change
            return action + " failed: " + detail + ". Try a model with fewer layers (preset:N), a smaller batch or "
                    + "prompt, or another device.";
        }
        if (t instanceof EngineException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return action + " failed: " + detail;
        }
        return action + " failed (" + t.getClass().getSimpleName() + "): " + detail;
    }
}
