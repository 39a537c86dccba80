package org.moescope.engine.session;

import java.util.List;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;

/**
 * Result of one step (prefill or one decode token for every sequence). Immutable; safe to hand to another thread.
 *
 * @param step            0 = prefill, then 1, 2, ...
 * @param phase           PREFILL, DECODE (one active sequence) or BATCHED_DECODE (more than one)
 * @param tokensProcessed T for prefill (prompt length), the number of active sequences for decode steps
 * @param newTokens       the token sampled for each sequence at this step (length B); -1 for a sequence that had
 *                        already finished before this step
 * @param newText         decoded text piece of each new token ("" when no tokenizer or finished)
 * @param options         switch state the step ran with
 * @param spans           device-timed stages (empty when options.profiling() is false)
 * @param routing         router decisions of every MoE layer for this step's tokens, with full probs; null if not captured
 * @param wallNanos       host wall time of the step
 * @param finished        every sequence has hit EOS or the token budget
 */
public record StepResult(
        int step,
        Phase phase,
        int tokensProcessed,
        int[] newTokens,
        String[] newText,
        MoeOptions options,
        List<StageSpan> spans,
        StepRouting routing,
        long wallNanos,
        boolean finished) {

    public StepResult {
        newTokens = newTokens.clone();
        newText = newText.clone();
        spans = List.copyOf(spans);
    }

    @Override
    public int[] newTokens() {
        return newTokens.clone();
    }

    @Override
    public String[] newText() {
        return newText.clone();
    }
}
