package org.moescope.app.service;

import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.concurrent.Task;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.StepResult;

/**
 * Runs Prefill, Step or Generate on the engine thread. Each finished step is handed to {@code onStep} on the FX
 * thread as soon as it completes. The switches are read before every step, so a change applies from the next step.
 * Cancelling ({@link #cancel(boolean) cancel(false)}) stops after the step in flight: the session is never
 * interrupted mid-step. The value is the number of steps run.
 */
public final class RunTask extends Task<Integer> {
    private final InferenceSession session;
    private final RunMode mode;
    private final RunRequest request;
    private final boolean startNewRun;
    private final Supplier<MoeOptions> switches;
    private final TokenTexts tokenTexts;
    private final Consumer<StepResult> onStep;

    /**
     * @param startNewRun prefill first (true for PREFILL, and for STEP/GENERATE when no run is active)
     * @param switches    read on the engine thread before each step; must be thread-safe
     */
    public RunTask(InferenceSession session, RunMode mode, RunRequest request, boolean startNewRun,
                   Supplier<MoeOptions> switches, TokenTexts tokenTexts, Consumer<StepResult> onStep) {
        this.session = session;
        this.mode = mode;
        this.request = request;
        this.startNewRun = startNewRun || mode == RunMode.PREFILL;
        this.switches = switches;
        this.tokenTexts = tokenTexts;
        this.onStep = onStep;
    }

    @Override
    protected Integer call() {
        int steps = 0;
        if (startNewRun) {
            updateMessage("Prefill");
            int[] prompt = PromptTokens.encode(session, request.prompt());
            tokenTexts.learn(session, prompt);
            StepResult first = session.prefill(prompt, request.batch(), request.maxNewTokens(), request.sampling(),
                    switches.get(), true);
            publish(first);
            steps++;
            if (mode != RunMode.GENERATE) {
                return steps;
            }
        }
        while (!isCancelled() && !session.finished()) {
            updateMessage("Decode step " + (steps + 1));
            publish(session.step(switches.get(), true));
            steps++;
            if (mode == RunMode.STEP) {
                break;
            }
            if (request.maxNewTokens() > 0) {
                updateProgress(session.generatedTokens().get(0).length, request.maxNewTokens());
            }
        }
        return steps;
    }

    private void publish(StepResult step) {
        tokenTexts.learn(session, step);
        Platform.runLater(() -> onStep.accept(step));
    }
}
