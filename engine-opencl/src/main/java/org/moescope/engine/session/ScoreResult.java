package org.moescope.engine.session;

import java.util.List;
import org.moescope.engine.profile.LayerRouting;

/**
 * What {@code moescope score} reports, the figures other implementations are compared with.
 *
 * @param promptIds          the prompt
 * @param prefillLogits      {@code [T * vocab]} logits of every prompt position from one prefill pass
 * @param vocab              row length of prefillLogits
 * @param greedyContinuation greedy ids made through the decode path (stops after an EOS id)
 * @param routing            per MoE layer, the router's top-k of every prompt token
 */
public record ScoreResult(int[] promptIds, float[] prefillLogits, int vocab, int[] greedyContinuation,
                          List<LayerRouting> routing) {
    public ScoreResult {
        routing = List.copyOf(routing);
    }
}
