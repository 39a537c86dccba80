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
        addInBatches(window, run);
        assertEquals(16, window.steps().size(), "bounded");
        for (int i = 0; i < 16; i++) {
            assertSame(run.get(run.size() - 16 + i), window.steps().get(i), "the last 16 steps, in order");
        }
        assertEquals(101, window.totalSteps());
        assertEquals(85, window.droppedSteps());
        assertEquals("showing the last 16 of 101 steps; older steps summarised", window.summary());
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
