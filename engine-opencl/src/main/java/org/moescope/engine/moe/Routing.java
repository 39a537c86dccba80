package org.moescope.engine.moe;

/**
 * The top-k decision of the router for {@code tokens} tokens; pair {@code p = t * k + s}.
 *
 * @param ids     {@code [tokens * k]} expert of each pair, descending probability within a token
 * @param weights {@code [tokens * k]} its weight (renormalised over the k when norm_topk_prob)
 */
public record Routing(int tokens, int k, int[] ids, float[] weights) {
}
