package org.moescope.app.service;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.RunReplay;
import org.moescope.engine.session.StepResult;

/** The {@link RunReplay} of a recorded run: what each of its steps fed the model, read from the steps' routing. */
public final class RunReplays {
    private RunReplays() {
    }

    /** The replay of {@code steps} (the run in order, prefill first); IllegalArgumentException naming what is missing. */
    public static RunReplay of(List<StepResult> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("There is no run to walk through: press Prefill, Step or Generate first.");
        }
        StepResult first = steps.get(0);
        if (first.step() != 0) {
            throw new IllegalArgumentException("This run's first " + first.step() + " steps are no longer kept (a long run"
                    + " keeps its last steps only, see MOESCOPE_STEP_WINDOW), and a trace replays the run from its"
                    + " prefill: trace a token of a shorter run, or raise the step window.");
        }
        if (first.routing() == null) {
            throw new IllegalArgumentException("The run's prefill (step 0) and its routing are needed to replay a step.");
        }
        List<RunReplay.DecodeStep> decode = new ArrayList<>(steps.size() - 1);
        for (StepResult s : steps.subList(1, steps.size())) {
            StepRouting r = s.routing();
            if (r == null) {
                throw new IllegalArgumentException("Step " + s.step() + " has no routing record, so it cannot be replayed.");
            }
            decode.add(new RunReplay.DecodeStep(r.sequences(), r.tokenIds(), s.options()));
        }
        return new RunReplay(first.routing().tokenIds(), first.newTokens().length, first.options(), decode);
    }
}
