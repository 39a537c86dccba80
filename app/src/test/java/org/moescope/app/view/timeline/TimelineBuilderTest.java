package org.moescope.app.view.timeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.engine.session.StepResult;

/** The worker and the FX thread are queues this test runs by hand, so every interleaving is chosen, not raced. */
class TimelineBuilderTest {

    private final Deque<Runnable> worker = new ArrayDeque<>();
    private final Deque<Runnable> fx = new ArrayDeque<>();
    private final List<TimelineBuilder.Timeline> shown = new ArrayList<>();
    private final TimelineBuilder builder = new TimelineBuilder(shown::add, worker::add, fx::add);

    private static int spans(List<StepResult> steps) {
        return steps.stream().mapToInt(s -> s.spans().size()).sum();
    }

    private int shownSpans() {
        TimelineBuilder.Timeline last = shown.get(shown.size() - 1);
        assertEquals((long) last.layout().count(FlameLayout.DEPTH_STAGE), last.wholeRun().spans(), "layout and table agree");
        return (int) last.wholeRun().spans();
    }

    private static final List<StepResult> LONG = SyntheticSteps.run(48, 12, 160, 16, 4);
    private static final List<StepResult> SHORT = SyntheticSteps.run(2, 4, 2, 16, 4);

    @Test
    void aShortRunIsBuiltAtOnce() {
        builder.build(SHORT, true);
        assertTrue(worker.isEmpty());
        assertTrue(builder.isCurrent());
        assertEquals(spans(SHORT), shownSpans());
    }

    @Test
    void aLongRunIsBuiltOnTheWorkerAndTheLatestRequestWins() {
        assertTrue(spans(LONG) >= TimelineBuilder.BACKGROUND_SPANS);
        builder.build(LONG, true);
        assertTrue(shown.isEmpty(), "nothing built on the calling thread");
        assertFalse(builder.isCurrent());
        List<StepResult> longer = new ArrayList<>(LONG);
        longer.addAll(SyntheticSteps.run(48, 12, 3, 16, 4));
        builder.build(longer, true);
        assertEquals(1, worker.size(), "the queued build takes the newer request");
        worker.pop().run();
        assertTrue(shown.isEmpty(), "handed to the FX thread, not shown from the worker");
        fx.pop().run();
        assertEquals(spans(longer), shownSpans());
        assertTrue(builder.isCurrent());
        assertTrue(worker.isEmpty() && fx.isEmpty(), "one build for two requests");
    }

    @Test
    void aBackgroundBuildThatFinishesAfterANewerOneIsDropped() {
        builder.build(LONG, true);
        builder.build(SHORT, true);   // a Reset and a short run while the long one builds
        assertEquals(spans(SHORT), shownSpans());
        worker.pop().run();
        fx.pop().run();
        assertEquals(1, shown.size(), "the long run's late layout was dropped");
        assertEquals(spans(SHORT), shownSpans());
        assertTrue(builder.isCurrent());
    }
}
