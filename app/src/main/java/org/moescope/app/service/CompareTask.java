package org.moescope.app.service;

import java.util.ArrayList;
import java.util.List;
import javafx.concurrent.Task;
import org.moescope.app.metrics.StageComparison;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.StepResult;

/**
 * A/B compare on the engine thread: the same prompt, sampling and budget run twice, once with each switch
 * setting (profiling forced on), then per-stage device times side by side. It resets the session, so the current
 * run ends. An optional warm-up run first keeps one-time costs (kernel builds, first-touch allocations) out of A.
 */
public final class CompareTask extends Task<CompareTask.Result> {

    /** Both runs and their comparison. */
    public record Result(MoeOptions optionsA, MoeOptions optionsB, List<StepResult> stepsA, List<StepResult> stepsB,
                         StageComparison comparison) {
        public Result {
            stepsA = List.copyOf(stepsA);
            stepsB = List.copyOf(stepsB);
        }
    }

    private final InferenceSession session;
    private final RunRequest request;
    private final MoeOptions optionsA;
    private final MoeOptions optionsB;
    private final boolean warmUp;

    public CompareTask(InferenceSession session, RunRequest request, MoeOptions optionsA, MoeOptions optionsB, boolean warmUp) {
        this.session = session;
        this.request = request;
        this.optionsA = optionsA.withProfiling(true);
        this.optionsB = optionsB.withProfiling(true);
        this.warmUp = warmUp;
    }

    @Override
    protected Result call() {
        int[] prompt = PromptTokens.encode(session, request.prompt());
        if (warmUp) {
            updateMessage("A/B: warm-up");
            run(prompt, optionsA);
        }
        updateMessage("A/B: run A (" + optionsA.label() + ")");
        List<StepResult> a = run(prompt, optionsA);
        if (isCancelled()) {
            return null;
        }
        updateMessage("A/B: run B (" + optionsB.label() + ")");
        List<StepResult> b = run(prompt, optionsB);
        session.reset();
        return new Result(optionsA, optionsB, a, b, StageComparison.of(spans(a), spans(b)));
    }

    private List<StepResult> run(int[] prompt, MoeOptions options) {
        session.reset();
        List<StepResult> steps = new ArrayList<>();
        steps.add(session.prefill(prompt, request.batch(), request.maxNewTokens(), request.sampling(), options, false));
        while (!session.finished() && !isCancelled()) {
            steps.add(session.step(options, false));
        }
        return steps;
    }

    private static List<StageSpan> spans(List<StepResult> steps) {
        List<StageSpan> all = new ArrayList<>();
        steps.forEach(s -> all.addAll(s.spans()));
        return all;
    }
}
