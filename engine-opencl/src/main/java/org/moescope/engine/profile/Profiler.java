package org.moescope.engine.profile;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.moe.MoeOptions;

/**
 * Times stages with the backend's device timer. Passed into forward calls, never global. {@link #OFF} does nothing:
 * no events, no synchronisation. Intervals are resolved once per step in {@link #endStep()}, so timing adds no
 * wait between stages.
 *
 * <pre>
 * profiler.beginStep(Phase.DECODE, 1, options);
 * try (var s = profiler.stage(layer, "moe", "route")) { backend.routeTopk(...); }
 * List&lt;StageSpan&gt; spans = profiler.endStep();
 * </pre>
 */
public class Profiler {

    /** A stage scope; closing it ends the timing window. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NO_SCOPE = () -> { };

    /** The no-op profiler used when profiling is off. */
    public static final Profiler OFF = new Profiler(null);

    private final Backend backend;
    private final List<Pending> pending = new ArrayList<>();
    private int step = -1;
    private Phase phase;
    private int tokens;
    private MoeOptions options;

    private record Pending(int layer, String block, String stage, DeviceInterval interval) {
    }

    private Profiler(Backend backend) {
        this.backend = backend;
    }

    /** A profiler that times on {@code backend}. */
    public static Profiler on(Backend backend) {
        return new Profiler(backend);
    }

    public boolean enabled() {
        return backend != null;
    }

    /** Starts a step; stages recorded until {@link #endStep()} belong to it. */
    public void beginStep(Phase phase, int tokens, MoeOptions options) {
        if (backend == null) {
            return;
        }
        step++;
        this.phase = phase;
        this.tokens = tokens;
        this.options = options;
        pending.clear();
    }

    /** Times the device work enqueued until the returned scope closes. */
    public Scope stage(int layer, String block, String stage) {
        if (backend == null) {
            return NO_SCOPE;
        }
        backend.beginTiming();
        return () -> pending.add(new Pending(layer, block, stage, backend.endTiming()));
    }

    /** Resolves this step's intervals (may wait for the device) and returns its spans in enqueue order. */
    public List<StageSpan> endStep() {
        if (backend == null) {
            return List.of();
        }
        List<StageSpan> spans = new ArrayList<>(pending.size());
        for (Pending p : pending) {
            long start = p.interval().startNanos();
            long end = p.interval().endNanos();
            spans.add(new StageSpan(step, phase, p.layer(), p.block(), p.stage(), tokens, options, start, end));
        }
        pending.clear();
        return List.copyOf(spans);
    }

    /** The step number the next {@link #beginStep} gets minus one (starts at -1). */
    public int currentStep() {
        return step;
    }
}
