package org.moescope.app.testdata;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;

/** Synthetic {@link StepResult}s: a prefill then decode steps, with spans and routing, as the session produces. */
public final class SyntheticSteps {

    private SyntheticSteps() {
    }

    /** Token text for tests: a small vocabulary so the routing text reads like words. */
    public static String tokenText(int id) {
        String[] words = {" the", " expert", " router", " picks", " eight", " of", " many", " tokens", ".", " A",
            " gate", " mixes", " weights", " and", " sums", "\n"};
        return words[id % words.length];
    }

    public static List<StepResult> run(int layers, int prompt, int decodeSteps, int experts, int k) {
        List<StepResult> out = new ArrayList<>();
        long t = 1_000_000_000L;
        for (int step = 0; step <= decodeSteps; step++) {
            Phase phase = step == 0 ? Phase.PREFILL : Phase.DECODE;
            // alternate the fused switch half-way so both decode stage lists appear
            MoeOptions options = MoeOptions.DEFAULT.withProfiling(true).withFusedGateUpSilu(step <= decodeSteps / 2);
            int tokens = step == 0 ? prompt : 1;
            List<StageSpan> spans = SyntheticRun.stepSpans(step, phase, layers, tokens, options, t,
                    1_500 + (step * 37L % 900));
            t = spans.get(spans.size() - 1).endNanos() + 20_000;
            var routing = SyntheticRun.stepRouting(step, phase, tokens, layers, experts, k, 100 + step);
            int next = routing.tokenIds()[0];
            out.add(new StepResult(step, phase, tokens, new int[] {next}, new String[] {tokenText(next)}, options, spans,
                    routing, spans.get(spans.size() - 1).endNanos() - spans.get(0).startNanos(), step == decodeSteps));
        }
        return out;
    }
}
