package org.moescope.app.viewmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.Test;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.engine.session.StepResult;

class StepWindowTest {
    /** A prefill and 100 decode steps with spans and routing. */
    private final List<StepResult> run = SyntheticSteps.run(2, 5, 100, 8, 2);

    /** Adds the run in uneven batches (as the engine hands them over): 1, 2, ..., up to 23 steps at once. */
    private static void addInBatches(StepWindow window, List<StepResult> steps) {
        int from = 0;
        for (int size = 1; from < steps.size(); size = size % 23 + 1) {
            int to = Math.min(steps.size(), from + size);
            window.addAll(steps.subList(from, to));
            from = to;
        }
    }

    @Test
    void aRunWithinTheWindowIsKeptWhole() {
        StepWindow window = new StepWindow(1000);
        addInBatches(window, run);
        assertEquals(run, window.steps());
        assertEquals(run.size(), window.totalSteps());
        assertEquals(0, window.droppedSteps());
        assertEquals(RunMetrics.of(run), window.metrics());
        assertEquals("101 steps", window.summary());
    }

    @Test
    void aLongerRunKeepsItsLastStepsAndCountsAll() {
        StepWindow window = new StepWindow(16);
        int from = 0;
        for (int size = 1; from < run.size(); size = size % 23 + 1) {
            int to = Math.min(run.size(), from + size);
            window.addAll(run.subList(from, to));
            from = to;
            int kept = window.steps().size();
            assertTrue(kept <= 16 && kept >= Math.min(to, 12), "between 3/4 of the window and all of it: " + kept);
            for (int i = 0; i < kept; i++) {
                assertSame(run.get(to - kept + i), window.steps().get(i), "the last steps, in order");
            }
            assertEquals(to, window.totalSteps());
            assertEquals(to - kept, window.droppedSteps());
        }
        int kept = window.steps().size();
        assertEquals("showing the last " + kept + " of 101 steps; older steps summarised", window.summary());
    }

    @Test
    void betweenDropsTheListOnlyGrows() {
        StepWindow window = new StepWindow(16);
        window.addAll(run.subList(0, 16));
        List<String> changes = new java.util.ArrayList<>();
        window.steps().addListener((ListChangeListener<StepResult>) c -> {
            while (c.next()) {
                changes.add(c.wasRemoved() ? "replaced" : "added " + c.getAddedSize());
            }
        });
        for (int i = 16; i < 24; i++) {
            window.addAll(run.subList(i, i + 1));
        }
        // full at 16: step 16 makes 17, so the window keeps the last 12; 4 appends fill it, step 21 drops again
        assertEquals(List.of("replaced", "added 1", "added 1", "added 1", "added 1", "replaced", "added 1", "added 1"),
                changes);
        assertEquals(run.subList(10, 24), window.steps());
    }

    @Test
    void theFiguresCountEveryStepAndTheLatencyHistoryTheLastOnes() {
        StepWindow window = new StepWindow(16);
        addInBatches(window, run);
        RunMetrics all = RunMetrics.of(run);
        RunMetrics m = window.metrics();
        assertEquals(all.tokensPerSecond(), m.tokensPerSecond(), 1e-9);
        assertEquals(all.prefillMillis(), m.prefillMillis(), "the prefill was dropped long ago and still counts");
        assertEquals(all.moeShare(), m.moeShare(), 1e-12);
        assertEquals(all.loadImbalance(), m.loadImbalance(), 1e-12);
        List<Double> latencies = all.decodeLatencyMillis();
        assertEquals(latencies.subList(latencies.size() - 16, latencies.size()), m.decodeLatencyMillis());
    }

    @Test
    void oneListChangePerHandOverEvenWhenStepsAreDropped() {
        StepWindow window = new StepWindow(10);
        AtomicInteger changes = new AtomicInteger();
        window.steps().addListener((ListChangeListener<StepResult>) c -> changes.incrementAndGet());
        window.addAll(run.subList(0, 8));
        window.addAll(run.subList(8, 12));
        window.addAll(run.subList(12, 40));
        assertEquals(3, changes.get());
        assertEquals(run.subList(30, 40), window.steps());
    }

    @Test
    void clearForgetsTheRun() {
        StepWindow window = new StepWindow(16);
        addInBatches(window, run);
        window.clear();
        assertTrue(window.steps().isEmpty());
        assertEquals(0, window.totalSteps());
        assertEquals(RunMetrics.EMPTY, window.metrics());
        assertEquals("0 steps", window.summary());
        window.addAll(run.subList(0, 3));
        assertEquals(RunMetrics.of(run.subList(0, 3)), window.metrics(), "nothing of the run before");
    }

    @Test
    void theCapacityComesFromThePropertyOrTheDefault() {
        assertEquals(StepWindow.DEFAULT_CAPACITY, StepWindow.parseCapacity(null));
        assertEquals(StepWindow.DEFAULT_CAPACITY, StepWindow.parseCapacity(" "));
        assertEquals(100, StepWindow.parseCapacity(" 100 "));
        for (String bad : new String[] {"0", "-5", "abc", "1e3"}) {
            var e = assertThrows(IllegalArgumentException.class, () -> StepWindow.parseCapacity(bad));
            assertTrue(e.getMessage().contains(StepWindow.PROPERTY) && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new StepWindow(0));
    }
}
