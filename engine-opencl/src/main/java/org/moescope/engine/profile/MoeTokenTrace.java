package org.moescope.engine.profile;

import java.util.List;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;

/**
 * One token through one MoE layer, with the numbers of a real run: what the device held before and after the block
 * for that token, and each chosen expert's intermediate vectors computed on the host from the same weights with the
 * model's formulas. Made by {@code InferenceSession.traceToken}; the data of the teaching walk.
 *
 * <p>{@link #weightedSum()} (host) and {@link #deviceOutput()} (device) are the same vector computed twice; they
 * agree to float rounding (more loosely when {@link #q8Activations()}: the device then multiplied Q8_0 copies of the
 * activations while the host uses the floats).
 *
 * @param step          the run's step (0 = prefill)
 * @param phase         the path the step took (decode, prefill or batched decode)
 * @param row           the token's row in the step ({@code [0, layerRouting.tokens())})
 * @param tokenId       the token fed at that row
 * @param position      its position in its sequence
 * @param sequence      its sequence (0 unless batched)
 * @param tileRows      rows per grouped-GEMM tile of the device (prefill dispatch)
 * @param residualIn    {@code [h]} the residual stream entering the MoE sub-block (after the attention residual add)
 * @param normedIn      {@code [h]} after the post-attention RMSNorm: the MoE block's input x
 * @param logits        {@code [E]} router logits {@code W_router · x}, read back from the device
 * @param probs         {@code [E]} softmax of the logits
 * @param experts       the k chosen experts in descending probability, each with its intermediate vectors
 * @param weightedSum   {@code [h]} Σ weight · down over the chosen experts, on the host
 * @param deviceOutput  {@code [h]} the MoE block's output for this token, read back from the device
 * @param residualOut   {@code [h]} the residual stream after the MoE residual add (device)
 * @param layerRouting  the step's routing at this layer for every row (tokens per expert, pairs)
 */
public record MoeTokenTrace(int step, Phase phase, int layer, int row, int tokenId, int position, int sequence,
                            MoeShape shape, MoeOptions options, boolean q8Activations, int tileRows,
                            float[] residualIn, float[] normedIn, float[] logits, float[] probs,
                            List<ExpertPass> experts, float[] weightedSum, float[] deviceOutput, float[] residualOut,
                            LayerRouting layerRouting) {

    public MoeTokenTrace {
        experts = List.copyOf(experts);
    }

    /**
     * One chosen expert's pass for the token: {@code gate = W_gate[e] · x}, {@code up = W_up[e] · x},
     * {@code act = SiLU(gate) * up}, {@code down = W_down[e] · act}.
     *
     * @param slot        rank in the top-k (0 = highest probability)
     * @param probability its softmax probability
     * @param weight      the weight its output is mixed with (probability / top-k sum when norm_topk_prob)
     * @param gate        {@code [inter]}
     * @param up          {@code [inter]}
     * @param act         {@code [inter]}
     * @param down        {@code [h]}
     */
    public record ExpertPass(int slot, int expert, float probability, float weight, float[] gate, float[] up,
                             float[] act, float[] down) {
    }

    /** Sum of the chosen experts' probabilities (the divisor of the renormalisation). */
    public double topKProbabilitySum() {
        double s = 0;
        for (ExpertPass e : experts) {
            s += e.probability();
        }
        return s;
    }
}
