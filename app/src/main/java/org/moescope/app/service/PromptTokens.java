package org.moescope.app.service;

import org.moescope.engine.session.InferenceSession;

/**
 * The prompt's token ids: the tokenizer's encoding, or, for a model without a tokenizer (synthetic models, bare
 * checkpoints), the prompt read as whitespace-separated token ids.
 */
public final class PromptTokens {
    private PromptTokens() {
    }

    public static int[] encode(InferenceSession session, String prompt) {
        if (session.hasTokenizer()) {
            return session.encode(prompt);
        }
        return parseIds(prompt, session.config().vocabSize());
    }

    /** "12 7 301" → {12, 7, 301}; anything else is an {@link IllegalArgumentException} that says what to type. */
    public static int[] parseIds(String prompt, int vocabSize) {
        String trimmed = prompt == null ? "" : prompt.trim();
        if (!isIdList(trimmed)) {
            throw new IllegalArgumentException("this model has no tokenizer: type the prompt as token ids separated by "
                    + "spaces, e.g. \"1 2 3\" (0 to " + (vocabSize - 1) + ")");
        }
        String[] parts = trimmed.split("\\s+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            long id = Long.parseLong(parts[i]);
            if (id >= vocabSize) {
                throw new IllegalArgumentException("token id " + parts[i] + " is outside the vocabulary [0, " + vocabSize + ")");
            }
            ids[i] = (int) id;
        }
        return ids;
    }

    /** True for a non-empty list of non-negative integers separated by whitespace. */
    public static boolean isIdList(String text) {
        return text != null && text.trim().matches("\\d{1,9}(\\s+\\d{1,9})*");
    }
}
