package org.moescope.engine.profile;

import org.moescope.engine.moe.MoeOptions;

/**
 * One timed stage on the device: the leaves of the flame chart. Parents (step, layer, block) are derived from these.
 *
 * @param step        step number within the session (prefill is a step too)
 * @param phase       path the step ran
 * @param layer       decoder layer, or -1 for work outside the layers (embedding, final norm, lm_head)
 * @param block       "attention", "moe", "mlp" (dense layers) or "model" (outside the layers)
 * @param stage       e.g. "route", "gate", "up", "silu", "gate_up_silu", "down", "wsum", "qkv", "attn"
 * @param tokens      tokens the stage processed (T for prefill, B for batched decode, 1 for decode)
 * @param options     switch state the step ran with
 * @param startNanos  device clock
 * @param endNanos    device clock
 */
public record StageSpan(int step, Phase phase, int layer, String block, String stage, int tokens, MoeOptions options,
                        long startNanos, long endNanos) {

    public long durationNanos() {
        return endNanos - startNanos;
    }
}
