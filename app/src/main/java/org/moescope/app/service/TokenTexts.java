package org.moescope.app.service;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.StepResult;

/**
 * Token id → text piece, filled on the engine thread for every token a step mentions, read from any thread
 * (views ask on the FX thread, where the single-threaded session must not be called).
 */
public final class TokenTexts implements IntFunction<String> {
    private final Map<Integer, String> texts = new ConcurrentHashMap<>();

    /** Engine thread: remembers the text of every token in {@code step} (new tokens and the routed rows). */
    void learn(InferenceSession session, StepResult step) {
        for (int id : step.newTokens()) {
            texts.computeIfAbsent(id, session::tokenText);
        }
        if (step.routing() != null) {
            for (int id : step.routing().tokenIds()) {
                texts.computeIfAbsent(id, session::tokenText);
            }
        }
    }

    /** Engine thread: remembers the text of the prompt's tokens. */
    void learn(InferenceSession session, int[] ids) {
        for (int id : ids) {
            texts.computeIfAbsent(id, session::tokenText);
        }
    }

    /** The token's text, or "#id" when it was never seen. */
    @Override
    public String apply(int id) {
        String text = texts.get(id);
        return text != null ? text : "#" + id;
    }

    public void clear() {
        texts.clear();
    }
}
