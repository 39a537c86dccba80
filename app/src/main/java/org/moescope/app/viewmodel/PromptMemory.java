package org.moescope.app.viewmodel;

import javafx.beans.property.StringProperty;
import org.moescope.app.service.PromptTokens;

/**
 * Keeps the text prompt and the token-id prompt apart across model changes: a model without a tokenizer needs its
 * prompt as token ids, so loading one puts the id prompt in place (the last one used, else
 * {@link SessionViewModel#DEFAULT_ID_PROMPT}) and remembers the text; loading a model with a tokenizer again brings
 * the text back. A prompt that is already token ids is left alone when a model without a tokenizer loads.
 */
final class PromptMemory {
    private final StringProperty prompt;
    private String idPrompt = SessionViewModel.DEFAULT_ID_PROMPT;
    /** The text prompt put aside for a model without a tokenizer; null when none is. */
    private String setAsideText;

    PromptMemory(StringProperty prompt) {
        this.prompt = prompt;
    }

    /** FX thread, after a load: puts the prompt the model takes in place; returns a note for the status line. */
    String modelLoaded(boolean hasTokenizer) {
        String current = prompt.get() == null ? "" : prompt.get();
        if (hasTokenizer) {
            if (setAsideText != null) {
                if (PromptTokens.isIdList(current)) {
                    idPrompt = current;
                }
                prompt.set(setAsideText);
                setAsideText = null;
                return " (the text prompt is back)";
            }
            return "";
        }
        if (PromptTokens.isIdList(current)) {
            idPrompt = current;
            return "";
        }
        setAsideText = current;
        prompt.set(idPrompt);
        return " (no tokenizer: the prompt is token ids; the text prompt comes back with a model that has one)";
    }
}
