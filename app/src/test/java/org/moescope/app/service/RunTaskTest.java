package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.util.WaitForAsyncUtils;

/** The engine side of the run actions, on a real session (the tiny Hugging Face checkpoint on the Java backend). */
@ExtendWith(ApplicationExtension.class)
class RunTaskTest {
    private static final Path TINY = Path.of(System.getProperty("moescope.home", ".."),
            "engine-opencl/src/test/resources/org/moescope/engine/hf-qwen3moe-tiny");

    private InferenceSession session;
    private final List<StepResult> received = new ArrayList<>();

    @BeforeEach
    void open() {
        session = InferenceSession.open(new ModelSource.Folder(TINY), new JavaBackend(0), null);
    }

    @AfterEach
    void close() {
        session.close();
    }

    private RunTask task(RunMode mode, int budget, boolean startNew, java.util.function.Supplier<MoeOptions> switches) {
        RunRequest request = new RunRequest("1 2 3", 1, budget, SamplingSettings.GREEDY);
        return new RunTask(session, mode, request, startNew, switches, new TokenTexts(), received::addAll);
    }

    @Test
    void stopTakesEffectAfterTheStepInFlight() throws Exception {
        AtomicInteger stepsStarted = new AtomicInteger();
        AtomicReference<RunTask> self = new AtomicReference<>();
        // the switches are read before each step: cancel while the 4th step (decode 3) is about to run
        RunTask task = task(RunMode.GENERATE, 50, true, () -> {
            if (stepsStarted.incrementAndGet() == 4) {
                self.get().cancel(false);
            }
            return MoeOptions.DEFAULT.withProfiling(true);
        });
        self.set(task);
        task.run();
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals(4, stepsStarted.get(), "no step starts after Stop");
        assertEquals(4, received.size(), "the step in flight completes and is published");
        assertFalse(session.finished(), "the run can go on");
        assertTrue(task.isCancelled());
    }

    @Test
    void stepRunsOneDecodeOfTheActiveRunAndSwitchesApplyPerStep() throws Exception {
        AtomicReference<MoeOptions> live = new AtomicReference<>(MoeOptions.DEFAULT.withProfiling(true));
        task(RunMode.PREFILL, 5, true, live::get).run();
        task(RunMode.STEP, 5, false, live::get).run();
        live.set(live.get().withFusedGateUpSilu(false));
        task(RunMode.STEP, 5, false, live::get).run();
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals(3, received.size());
        assertEquals(Phase.PREFILL, received.get(0).phase());
        assertEquals(List.of(0, 1, 2), received.stream().map(StepResult::step).toList());
        assertTrue(received.get(1).options().fusedGateUpSilu());
        assertFalse(received.get(2).options().fusedGateUpSilu());
        assertTrue(received.stream().allMatch(s -> s.routing() != null), "routing is captured for the heatmaps");
    }

    @Test
    void generateStopsAtTheBudget() throws Exception {
        task(RunMode.GENERATE, 4, true, () -> MoeOptions.DEFAULT).run();
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, received.size(), "prefill samples the first of the 4 tokens");
        assertTrue(received.get(3).finished());
        assertTrue(received.stream().allMatch(s -> s.spans().isEmpty()), "no spans with profiling off");
    }

    @Test
    void aNewRunStoresItsCachesAsTheRequestSaysAndAStepKeepsThem() throws Exception {
        RunRequest f16 = new RunRequest("1 2 3", 1, 4, SamplingSettings.GREEDY, DType.F16);
        new RunTask(session, RunMode.PREFILL, f16, true, () -> MoeOptions.DEFAULT, new TokenTexts(), received::addAll).run();
        assertEquals(DType.F16, session.kvCacheDType());
        RunRequest bf16 = new RunRequest("1 2 3", 1, 4, SamplingSettings.GREEDY, DType.BF16);
        new RunTask(session, RunMode.STEP, bf16, false, () -> MoeOptions.DEFAULT, new TokenTexts(), received::addAll).run();
        assertEquals(DType.F16, session.kvCacheDType(), "a Step of the active run does not start a new one");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, received.size());
        assertThrows(IllegalArgumentException.class,
                () -> new RunRequest("1 2 3", 1, 4, SamplingSettings.GREEDY, DType.I32));
    }

    @Test
    void aPacedRunPausesBetweenStepsAndOutsideEveryTimedSpan() throws Exception {
        StepPacer pacer = new StepPacer();
        pacer.setStepsPerSecond(8);
        RunTask task = task(RunMode.GENERATE, 4, true, () -> MoeOptions.DEFAULT.withProfiling(true)).pacedBy(pacer);
        long started = System.nanoTime();
        task.run();
        long elapsed = System.nanoTime() - started;
        WaitForAsyncUtils.waitForFxEvents();

        assertEquals(4, received.size());
        long paused = pacer.pausedNanos();
        // three pauses (before each decode step) of up to an eighth of a second each; the steps themselves are quick
        assertTrue(paused > 0, "the run paused");
        long timedSpans = 0;
        long wall = 0;
        for (StepResult s : received) {
            assertFalse(s.spans().isEmpty());
            timedSpans += s.spans().get(s.spans().size() - 1).endNanos() - s.spans().get(0).startNanos();
            wall += s.wallNanos();
        }
        // steps and pauses take turns on one thread: if a step's time held its pause, the pause would count twice
        assertTrue(wall + paused <= elapsed, "step wall " + wall + " + paused " + paused + " <= run " + elapsed);
        assertTrue(timedSpans + paused <= elapsed, "spans " + timedSpans + " + paused " + paused + " <= run " + elapsed);
    }
}
