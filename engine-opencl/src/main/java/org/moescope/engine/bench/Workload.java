package org.moescope.engine.bench;

import java.util.List;
import org.moescope.engine.profile.Phase;

/**
 * One benchmarked MoE call: a path and its token count (T for prefill, B for batched decode, 1 for decode).
 */
public record Workload(Phase phase, int tokens) {

    /** Issue 6's default set: decode, batched decode B=4 and 16, prefill T=32, 128, 512 and 2048. */
    public static final List<Workload> DEFAULTS = List.of(
            new Workload(Phase.DECODE, 1),
            new Workload(Phase.BATCHED_DECODE, 4), new Workload(Phase.BATCHED_DECODE, 16),
            new Workload(Phase.PREFILL, 32), new Workload(Phase.PREFILL, 128),
            new Workload(Phase.PREFILL, 512), new Workload(Phase.PREFILL, 2048));

    public Workload {
        if (phase == null) {
            throw new IllegalArgumentException("phase must not be null");
        }
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        if (phase == Phase.DECODE && tokens != 1) {
            throw new IllegalArgumentException("decode runs one token, got tokens = " + tokens);
        }
    }

    /** "decode", "batched_decode B=4", "prefill T=512". */
    public String label() {
        return switch (phase) {
            case DECODE -> "decode";
            case BATCHED_DECODE -> "batched_decode B=" + tokens;
            case PREFILL -> "prefill T=" + tokens;
        };
    }
}
