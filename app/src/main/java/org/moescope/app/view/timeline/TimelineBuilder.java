package org.moescope.app.view.timeline;

import org.moescope.app.metrics.StageBytes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javafx.application.Platform;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;

/**
 * Builds what the time view shows of a run, its flame layout and its whole-run stage summary, each time the run grows.
 * Both cost time in proportion to the run (a sort of every span), so a long Generate would make the FX thread spend
 * longer and longer on each new step; from {@link #BACKGROUND_SPANS} spans on they are built on a worker thread and
 * handed back to the FX thread, the latest request winning. Smaller runs are built at once, so the chart never lags
 * a short run.
 */
public final class TimelineBuilder {

    /** Spans from which a build leaves the FX thread (about 10 ms of building on a slow machine). */
    public static final int BACKGROUND_SPANS = 50_000;

    /** The layout and the whole run's summary of one state of the run, and the weight bytes of its spans. */
    public record Timeline(FlameLayout layout, StageSummary wholeRun, StageBytes bytes) {
        public static Timeline of(List<StepResult> steps, boolean hideGaps) {
            return of(steps, hideGaps, StageBytes.UNKNOWN);
        }

        /** @param model the loaded model's {@link StageBytes} (its routing is taken from {@code steps}) */
        public static Timeline of(List<StepResult> steps, boolean hideGaps, StageBytes model) {
            List<StageSpan> spans = spansOf(steps);
            StageBytes bytes = model.withSteps(steps);
            return new Timeline(FlameLayout.of(spans, hideGaps), StageSummary.of(spans, bytes::of), bytes);
        }
    }

    /** Every profiled span of {@code steps}, in step order. */
    public static List<StageSpan> spansOf(List<StepResult> steps) {
        List<StageSpan> spans = new ArrayList<>();
        for (StepResult step : steps) {
            spans.addAll(step.spans());
        }
        return spans;
    }

    private record Request(long id, List<StepResult> steps, boolean hideGaps, StageBytes model) {
    }

    /** One worker for every time view: builds are rare next to the steps, and one at a time is enough. */
    private static final class Worker {
        static final ExecutorService EXECUTOR = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "moescope-timeline");
            t.setDaemon(true);
            return t;
        });
    }

    private final Consumer<Timeline> onFx;
    private final Executor worker;
    private final Executor fxThread;
    private final AtomicReference<Request> pending = new AtomicReference<>();
    /** FX thread: the id of the last request and of the last timeline handed over. */
    private long requested;
    private long applied;

    /** @param onFx receives each new timeline, on the FX thread */
    public TimelineBuilder(Consumer<Timeline> onFx) {
        this(onFx, Worker.EXECUTOR, Platform::runLater);
    }

    /** With the worker and the FX thread given (tests run both by hand, in the order they choose). */
    TimelineBuilder(Consumer<Timeline> onFx, Executor worker, Executor fxThread) {
        this.onFx = onFx;
        this.worker = worker;
        this.fxThread = fxThread;
    }

    /** FX thread: builds the timeline of {@code steps} (an immutable snapshot), at once or in the background. */
    public void build(List<StepResult> steps, boolean hideGaps) {
        build(steps, hideGaps, StageBytes.UNKNOWN);
    }

    /** {@link #build(List, boolean)} with the loaded model's weight bytes per stage. */
    public void build(List<StepResult> steps, boolean hideGaps, StageBytes model) {
        long id = ++requested;
        int spans = 0;
        for (StepResult step : steps) {
            spans += step.spans().size();
        }
        if (spans < BACKGROUND_SPANS) {
            apply(id, Timeline.of(steps, hideGaps, model));
            return;
        }
        // a worker already queued takes this newer request instead of the one it was queued for
        if (pending.getAndSet(new Request(id, steps, hideGaps, model)) == null) {
            worker.execute(this::buildPending);
        }
    }

    /** FX thread: whether the last request's timeline has been handed over. */
    public boolean isCurrent() {
        return applied == requested;
    }

    private void buildPending() {
        Request r = pending.getAndSet(null);
        if (r == null) {
            return;
        }
        try {
            Timeline timeline = Timeline.of(r.steps(), r.hideGaps(), r.model());
            fxThread.execute(() -> apply(r.id(), timeline));
        } catch (RuntimeException e) {
            // surfaces as a failure on the FX thread would, where the app reports uncaught exceptions
            fxThread.execute(() -> {
                throw e;
            });
        }
    }

    private void apply(long id, Timeline timeline) {
        // a background build that finishes after a newer one (a Reset, then a short run) is dropped
        if (id > applied) {
            applied = id;
            onFx.accept(timeline);
        }
    }
}
