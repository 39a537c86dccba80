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
 * A/B compare on the engine thread: the same prompt, sampling and budget run with each switch setting (profiling
 * forced on), A and B alternately {@code repeats} times, then per-stage median device times side by side.
 * Alternating spreads slow drifts (clock, other load) over both sides. It resets the session, so the current run
 * ends. An optional warm-up run first keeps one-time costs (kernel builds, first-touch allocations) out of A.
 */
public final class CompareTask extends Task<CompareTask.Result> {

    /** The last run of each side and the comparison over all runs. */
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
    private final int repeats;

    public CompareTask(InferenceSession session, RunRequest request, MoeOptions optionsA, MoeOptions optionsB,
                       boolean warmUp, int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        this.repeats = repeats;
        this.session = session;
        this.request = request;
        this.optionsA = optionsA.withProfiling(true);
        this.optionsB = optionsB.withProfiling(true);
        this.warmUp = warmUp;
    }

    @Override
    protected Result call() {
        int[] prompt = PromptTokens.encode(session, request.prompt());
        session.setKvCacheDType(request.kvCacheDType());
        if (warmUp) {
            updateMessage("A/B: warm-up");
            run(prompt, optionsA);
        }
        List<List<StageSpan>> runsA = new ArrayList<>();
        List<List<StageSpan>> runsB = new ArrayList<>();
        List<StepResult> a = List.of();
        List<StepResult> b = List.of();
        for (int i = 0; i < repeats && !isCancelled(); i++) {
            updateProgress(2 * i, 2 * repeats);
            updateMessage("A/B: run A " + (i + 1) + "/" + repeats + " (" + optionsA.label() + ")");
            a = run(prompt, optionsA);
            runsA.add(spans(a));
            if (isCancelled()) {
                break;
            }
            updateProgress(2 * i + 1, 2 * repeats);
            updateMessage("A/B: run B " + (i + 1) + "/" + repeats + " (" + optionsB.label() + ")");
            b = run(prompt, optionsB);
            runsB.add(spans(b));
        }
        session.reset();
        if (isCancelled() || runsB.isEmpty()) {
            return null;
        }
        return new Result(optionsA, optionsB, a, b, StageComparison.ofRuns(runsA.subList(0, runsB.size()), runsB));
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
