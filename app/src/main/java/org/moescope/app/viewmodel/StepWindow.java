package org.moescope.app.viewmodel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.engine.session.StepResult;

/**
 * The steps of the current run as the views see them: at most the last {@link #capacity()} in full (with their spans
 * and routing), older ones dropped but counted in {@link #totalSteps()} and summed into {@link #metrics()}, so a run
 * of any length keeps memory bounded while the totals and tokens/s still count every step. When the window is full
 * the oldest quarter goes at once: in between, the list only grows, which the views follow incrementally (a text
 * that only grows is extended, not rebuilt), so the list holds the last 3/4 to all of the capacity. A step with its spans and
 * routing costs from a few KiB (a small model) to about 1.5 MiB (a 48-layer, 128-expert model at batch 64).
 * FX thread only.
 */
public final class StepWindow {
    /** System property (then environment variable {@link #ENV}) that sets the capacity. */
    public static final String PROPERTY = "moescope.stepWindow";
    public static final String ENV = "MOESCOPE_STEP_WINDOW";
    public static final int DEFAULT_CAPACITY = 4096;

    private final int capacity;
    private final ObservableList<StepResult> kept = FXCollections.observableArrayList();
    private long total;
    private RunMetrics.Accumulator totals;

    public StepWindow(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("the step window must hold at least 1 step, got " + capacity);
        }
        this.capacity = capacity;
        totals = new RunMetrics.Accumulator(capacity);
    }

    /** The capacity set by {@value #PROPERTY} or {@value #ENV} (a whole number >= 1), else the default. */
    public static int configuredCapacity() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENV);
        }
        return parseCapacity(value);
    }

    static int parseCapacity(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_CAPACITY;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException(PROPERTY + " / " + ENV + " must be a whole number >= 1 (steps kept in "
                + "full), got '" + value + "'");
    }

    public int capacity() {
        return capacity;
    }

    /** The kept steps, oldest first; one list change per {@link #addAll} or {@link #clear}. */
    public ObservableList<StepResult> steps() {
        return kept;
    }

    /** Appends steps in order; when they do not fit, drops the oldest quarter of the window (or more). */
    public void addAll(List<StepResult> arrived) {
        total += arrived.size();
        arrived.forEach(totals::add);
        int combined = kept.size() + arrived.size();
        if (combined <= capacity) {
            kept.addAll(arrived);
            return;
        }
        int keep = Math.max(capacity - capacity / 4, Math.min(arrived.size(), capacity));
        List<StepResult> next = new ArrayList<>(keep);
        int fromKept = keep - Math.min(arrived.size(), keep);
        next.addAll(kept.subList(kept.size() - fromKept, kept.size()));
        next.addAll(arrived.subList(arrived.size() - (keep - fromKept), arrived.size()));
        kept.setAll(next);
    }

    /** Forgets the run. */
    public void clear() {
        total = 0;
        totals = new RunMetrics.Accumulator(capacity);
        kept.clear();
    }

    /** Steps of the run, kept or not. */
    public long totalSteps() {
        return total;
    }

    /** Steps of the run no longer kept in full. */
    public long droppedSteps() {
        return total - kept.size();
    }

    /** The run's figures over every step added (the latency history over the last {@link #capacity()} decode steps). */
    public RunMetrics metrics() {
        return totals.metrics();
    }

    /** "12 steps", or "showing the last 4,096 of 250,000 steps; older steps summarised" once steps were dropped. */
    public String summary() {
        if (droppedSteps() == 0) {
            return String.format(Locale.ROOT, "%,d steps", total);
        }
        return String.format(Locale.ROOT, "showing the last %,d of %,d steps; older steps summarised", kept.size(), total);
    }
}
