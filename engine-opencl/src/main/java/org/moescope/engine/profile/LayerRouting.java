package org.moescope.engine.profile;

/**
 * The router's decision at one MoE layer for the tokens of one step.
 *
 * @param ids     {@code [tokens * k]} top-k expert ids per token, descending probability
 * @param weights {@code [tokens * k]} their weights (renormalised when norm_topk_prob)
 * @param probs   {@code [tokens * experts]} full softmax probabilities, or null when not requested
 */
public record LayerRouting(int layer, int tokens, int k, int experts, int[] ids, float[] weights, float[] probs) {
}
