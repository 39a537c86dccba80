package org.moescope.app.service;

import org.moescope.engine.session.SamplingSettings;

/**
 * What Prefill, Step and Generate run: the prompt and its budget.
 *
 * @param batch sequences decoded together (batched decode when > 1)
 */
public record RunRequest(String prompt, int batch, int maxNewTokens, SamplingSettings sampling) {
    public RunRequest {
        if (prompt == null || prompt.isEmpty()) {
            throw new IllegalArgumentException("prompt is empty: type a prompt first");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
    }
}
