package org.moescope.engine.session;

import java.util.List;
import org.moescope.engine.moe.MoeOptions;

/**
 * What a run fed the model, step by step, so that a step can be run again exactly as it ran: the same tokens on the
 * same paths with the same switches, each sequence's KV cache built by the same calls. The app builds it from its
 * {@link StepResult}s (the prompt from step 0's routing, each decode step's fed tokens and sequences).
 *
 * @param prompt         the prompt's token ids (step 0, prefill)
 * @param batch          sequences sharing the prompt
 * @param prefillOptions the switches step 0 ran with
 * @param decodeSteps    steps 1, 2, … in order
 */
public record RunReplay(int[] prompt, int batch, MoeOptions prefillOptions, List<DecodeStep> decodeSteps) {

    public RunReplay {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt: empty (the replay needs the prompt's token ids)");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, got " + batch);
        }
        if (prefillOptions == null) {
            throw new IllegalArgumentException("prefillOptions must not be null");
        }
        prompt = prompt.clone();
        decodeSteps = List.copyOf(decodeSteps);
    }

    /**
     * One decode step: the sequences still running and the token each was fed.
     *
     * @param sequences {@code [n]} sequence of each row, ascending
     * @param tokens    {@code [n]} token fed at each row
     */
    public record DecodeStep(int[] sequences, int[] tokens, MoeOptions options) {
        public DecodeStep {
            if (sequences == null || tokens == null || sequences.length != tokens.length || tokens.length == 0) {
                throw new IllegalArgumentException("a decode step needs one sequence per fed token, at least one");
            }
            if (options == null) {
                throw new IllegalArgumentException("options must not be null");
            }
            sequences = sequences.clone();
            tokens = tokens.clone();
        }
    }
}
