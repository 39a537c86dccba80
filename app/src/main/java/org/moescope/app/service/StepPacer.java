package org.moescope.app.service;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Slows a Generate down to a chosen number of decode steps per second, so that a demo can be followed by eye. The
 * engine thread calls {@link #awaitTurn} between two steps; the pause sits there, outside every step and so outside
 * every timed span and step wall time: profiling figures of a paced run are those of an unpaced one. A Stop
 * ({@link #wake()}) or a new pace ends a pause at once. Thread-safe: the FX thread sets the pace, the engine thread
 * waits.
 */
public final class StepPacer {
    /** No pause: steps run back to back. */
    public static final double AS_FAST_AS_POSSIBLE = 0;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private volatile double stepsPerSecond = AS_FAST_AS_POSSIBLE;
    /** When the previous step began (System.nanoTime), or Long.MIN_VALUE before the first. */
    private long lastTurnNanos = Long.MIN_VALUE;
    /** Time spent in {@link #awaitTurn} since {@link #startRun()}. */
    private long pausedNanos;

    /** Steps per second from the next pause on ({@link #AS_FAST_AS_POSSIBLE} or a positive number). */
    public void setStepsPerSecond(double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("steps per second must be 0 (as fast as possible) or a positive number, got " + value);
        }
        stepsPerSecond = value;
        wake();
    }

    public double stepsPerSecond() {
        return stepsPerSecond;
    }

    /** For the status line: " (paced: 5 steps/s)", or "" at full speed. */
    public String describe() {
        double rate = stepsPerSecond;
        if (rate == AS_FAST_AS_POSSIBLE) {
            return "";
        }
        String n = rate == Math.rint(rate) ? Long.toString((long) rate) : String.format(java.util.Locale.ROOT, "%.2g", rate);
        return " (paced: " + n + (rate == 1 ? " step/s)" : " steps/s)");
    }

    /** Engine thread: a run starts now; its first step does not wait. */
    public void startRun() {
        lock.lock();
        try {
            lastTurnNanos = System.nanoTime();
            pausedNanos = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Engine thread, between two steps: waits until one step interval after the previous step began, or until
     * {@code stop} says so (checked at every wake-up). A pace changed during the wait applies to it at once.
     *
     * @return whether the run should go on ({@code stop} was not set)
     */
    public boolean awaitTurn(BooleanSupplier stop) {
        lock.lock();
        long entered = System.nanoTime();
        try {
            while (!stop.getAsBoolean()) {
                double rate = stepsPerSecond;
                long now = System.nanoTime();
                long due = rate == AS_FAST_AS_POSSIBLE || lastTurnNanos == Long.MIN_VALUE ? now
                        : lastTurnNanos + (long) (1e9 / rate);
                if (now - due >= 0) {
                    lastTurnNanos = now;
                    return true;
                }
                // a wake-up (Stop, a new pace) or the due time: either way the loop checks both again
                changed.await(due - now, TimeUnit.NANOSECONDS);
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            pausedNanos += System.nanoTime() - entered;
            lock.unlock();
        }
    }

    /** Time the current run has spent paused between steps, in nanoseconds. */
    public long pausedNanos() {
        lock.lock();
        try {
            return pausedNanos;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a pause now (a Stop, or a new pace): the waiter checks its stop condition and the pace again. */
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
