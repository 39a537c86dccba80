package org.moescope.engine.moe;

/**
 * Host routing with Hugging Face Qwen3-MoE semantics: softmax over all experts in F32 (max subtracted),
 * top-k by repeated argmax with ties going to the lower expert index, weights divided by their sum when
 * norm_topk_prob. Used by the prefill host top-k path, by the Java backend's routeTopk and for routing capture.
 */
public final class Router {
    private Router() {
    }

    /** Softmax of each row of {@code logits [tokens, experts]}: returns {@code [tokens * experts]}. */
    public static float[] probabilities(float[] logits, int tokens, int experts) {
        checkLogits(logits, tokens, experts);
        float[] probs = new float[tokens * experts];
        for (int t = 0; t < tokens; t++) {
            softmaxRow(logits, t * experts, experts, probs, t * experts);
        }
        return probs;
    }

    /** Top-k routing of {@code logits [tokens, experts]}. */
    public static Routing route(float[] logits, int tokens, int experts, int k, boolean normTopk) {
        checkLogits(logits, tokens, experts);
        if (k <= 0 || k > experts) {
            throw new IllegalArgumentException("k must be in [1, experts=" + experts + "], got " + k);
        }
        int[] ids = new int[tokens * k];
        float[] weights = new float[tokens * k];
        float[] probs = new float[experts];
        boolean[] taken = new boolean[experts];
        for (int t = 0; t < tokens; t++) {
            softmaxRow(logits, t * experts, experts, probs, 0);
            java.util.Arrays.fill(taken, false);
            float sum = 0f;
            for (int s = 0; s < k; s++) {
                int best = -1;
                for (int e = 0; e < experts; e++) {
                    // strict '>' keeps the lower index on ties
                    if (!taken[e] && (best < 0 || probs[e] > probs[best])) {
                        best = e;
                    }
                }
                taken[best] = true;
                ids[t * k + s] = best;
                weights[t * k + s] = probs[best];
                sum += probs[best];
            }
            if (normTopk) {
                for (int s = 0; s < k; s++) {
                    weights[t * k + s] /= sum;
                }
            }
        }
        return new Routing(tokens, k, ids, weights);
    }

    private static void softmaxRow(float[] logits, int from, int experts, float[] out, int outFrom) {
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) {
            max = Math.max(max, logits[from + e]);
        }
        float sum = 0f;
        for (int e = 0; e < experts; e++) {
            float v = (float) Math.exp(logits[from + e] - max);
            out[outFrom + e] = v;
            sum += v;
        }
        for (int e = 0; e < experts; e++) {
            out[outFrom + e] /= sum;
        }
    }

    private static void checkLogits(float[] logits, int tokens, int experts) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        if (experts <= 0) {
            throw new IllegalArgumentException("experts must be > 0, got " + experts);
        }
        if (logits == null || logits.length < (long) tokens * experts) {
            throw new IllegalArgumentException("logits: length " + (logits == null ? "null" : logits.length)
                    + " < tokens * experts = " + (long) tokens * experts);
        }
    }
}
