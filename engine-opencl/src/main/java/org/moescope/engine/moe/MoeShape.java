package org.moescope.engine.moe;

/**
 * Dimensions of one MoE block.
 *
 * @param hidden   model width h
 * @param inter    expert intermediate size (moe_intermediate_size)
 * @param experts  number of experts E
 * @param topK     experts per token k
 * @param normTopk renormalise the top-k weights by their sum (norm_topk_prob)
 */
public record MoeShape(int hidden, int inter, int experts, int topK, boolean normTopk) {
    public MoeShape {
        if (hidden <= 0) throw new IllegalArgumentException("hidden must be > 0, got " + hidden);
        if (inter <= 0) throw new IllegalArgumentException("inter must be > 0, got " + inter);
        if (experts <= 0) throw new IllegalArgumentException("experts must be > 0, got " + experts);
        if (topK <= 0 || topK > experts) {
            throw new IllegalArgumentException("topK must be in [1, experts=" + experts + "], got " + topK);
        }
    }
}
