package org.moescope.app.service;

import org.moescope.engine.backend.DType;
import org.moescope.engine.session.SamplingSettings;

/**
 * What Prefill, Step and Generate run: the prompt, its budget and how its KV caches are stored.
 *
 * @param batch        sequences decoded together (batched decode when > 1)
 * @param kvCacheDType F32, F16 or BF16, for the caches of a run this request starts
 */
public record RunRequest(String prompt, int batch, int maxNewTokens, SamplingSettings sampling, DType kvCacheDType) {
    /** With F32 caches. */
    public RunRequest(String prompt, int batch, int maxNewTokens, SamplingSettings sampling) {
        this(prompt, batch, maxNewTokens, sampling, DType.F32);
    }

    public RunRequest {
        if (kvCacheDType == null || kvCacheDType == DType.I32) {
            throw new IllegalArgumentException("the KV cache is stored F32, F16 or BF16, not " + kvCacheDType);
        }
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
