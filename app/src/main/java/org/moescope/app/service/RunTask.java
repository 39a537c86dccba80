package org.moescope.app.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.concurrent.Task;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.StepResult;

/**
 * Runs Prefill, Step or Generate on the engine thread. Finished steps are handed to {@code onSteps} on the FX
 * thread, in order, as they complete: steps that finish while the FX thread is busy are collected and handed over
 * together, so a fast engine never floods the FX thread with one event per step. The switches are read before
 * every step, so a change applies from the next step.
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
    private final Consumer<List<StepResult>> onSteps;
    private final ConcurrentLinkedQueue<StepResult> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile StepPacer pacer;

    /**
     * @param startNewRun prefill first (true for PREFILL, and for STEP/GENERATE when no run is active)
     * @param switches    read on the engine thread before each step; must be thread-safe
     */
    public RunTask(InferenceSession session, RunMode mode, RunRequest request, boolean startNewRun,
                   Supplier<MoeOptions> switches, TokenTexts tokenTexts, Consumer<List<StepResult>> onSteps) {
        this.session = session;
        this.mode = mode;
        this.request = request;
        this.startNewRun = startNewRun || mode == RunMode.PREFILL;
        this.switches = switches;
        this.tokenTexts = tokenTexts;
        this.onSteps = onSteps;
    }

    /** Paces a Generate's decode steps (see {@link StepPacer}); set before the task runs. */
    public RunTask pacedBy(StepPacer stepPacer) {
        this.pacer = stepPacer;
        return this;
    }

    /** Also ends a pacing pause at once. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        StepPacer p = pacer;
        if (p != null) {
            p.wake();
        }
        return cancelled;
    }

    @Override
    protected Integer call() {
        int steps = 0;
        StepPacer p = pacer;
        if (p != null) {
            p.startRun();
        }
        if (startNewRun) {
            updateMessage(request.kvCacheDType() == DType.F32 ? "Prefill" : "Prefill (KV cache " + request.kvCacheDType() + ")");
            int[] prompt = PromptTokens.encode(session, request.prompt());
            tokenTexts.learn(session, prompt);
            session.setKvCacheDType(request.kvCacheDType());
            StepResult first = session.prefill(prompt, request.batch(), request.maxNewTokens(), request.sampling(),
                    switches.get(), true);
            publish(first);
            steps++;
            if (mode != RunMode.GENERATE) {
                return steps;
            }
        }
        while (!isCancelled() && !session.finished()) {
            if (p != null && steps > 0 && !p.awaitTurn(this::isCancelled)) {
                break;
            }
            updateMessage("Decode step " + (steps + 1) + (p != null ? p.describe() : ""));
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
        pending.add(step);
        if (!drainScheduled.getAndSet(true)) {
            Platform.runLater(this::drain);
        }
    }

    /** FX thread: hands over every step that arrived since the last drain. */
    private void drain() {
        drainScheduled.set(false);
        List<StepResult> batch = new ArrayList<>();
        for (StepResult s; (s = pending.poll()) != null; ) {
            batch.add(s);
        }
        if (!batch.isEmpty()) {
            onSteps.accept(batch);
        }
    }
}
