package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pause between decode steps: none at full speed, ended at once by a Stop or a new pace. */
class StepPacerTest {
    /** A watchdog for a frozen thread, not a timing claim: the paces below would wait for hours. */
    private static final long WATCHDOG_SECONDS = 20;
    private static final double ONE_STEP_AN_HOUR = 1.0 / 3600;

    @Test
    void atFullSpeedNoStepWaitsAndAStopIsSeen() {
        StepPacer pacer = new StepPacer();
        pacer.startRun();
        for (int i = 0; i < 1000; i++) {
            assertTrue(pacer.awaitTurn(() -> false));
        }
        assertFalse(pacer.awaitTurn(() -> true), "a stopped run does not go on");
    }

    @Test
    void aStopEndsAPauseAtOnce() throws Exception {
        StepPacer pacer = new StepPacer();
        pacer.setStepsPerSecond(ONE_STEP_AN_HOUR);
        pacer.startRun();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> pacer.awaitTurn(stop::get));
        assertFalse(waiter.isDone(), "the next step waits");
        stop.set(true);
        pacer.wake();
        assertFalse(waiter.get(WATCHDOG_SECONDS, TimeUnit.SECONDS), "stopped during the pause");
    }

    @Test
    void aFasterPaceEndsTheCurrentPause() throws Exception {
        StepPacer pacer = new StepPacer();
        pacer.setStepsPerSecond(ONE_STEP_AN_HOUR);
        pacer.startRun();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> pacer.awaitTurn(() -> false));
        pacer.setStepsPerSecond(StepPacer.AS_FAST_AS_POSSIBLE);
        assertTrue(waiter.get(WATCHDOG_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, pacer.stepsPerSecond());
    }

    @Test
    void theStatusLineSaysWhenARunIsPaced() {
        StepPacer pacer = new StepPacer();
        assertEquals("", pacer.describe());
        pacer.setStepsPerSecond(5);
        assertEquals(" (paced: 5 steps/s)", pacer.describe());
        pacer.setStepsPerSecond(1);
        assertEquals(" (paced: 1 step/s)", pacer.describe());
    }

    @Test
    void aPaceMustBeZeroOrPositive() {
        StepPacer pacer = new StepPacer();
        assertThrows(IllegalArgumentException.class, () -> pacer.setStepsPerSecond(-1));
        assertThrows(IllegalArgumentException.class, () -> pacer.setStepsPerSecond(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> pacer.setStepsPerSecond(Double.POSITIVE_INFINITY));
    }
}
