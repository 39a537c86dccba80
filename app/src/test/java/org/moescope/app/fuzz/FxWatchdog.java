package org.moescope.app.fuzz;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javafx.application.Platform;

/**
 * Pings the FX thread with {@link Platform#runLater} and reports when a ping is not answered within the limit: the
 * window is then frozen for the user. Engine work (a load, a run, an export) runs on its own threads, so the FX
 * thread must answer at all times, busy or not. The report carries the FX thread's stack at that moment.
 */
final class FxWatchdog implements AutoCloseable {
    private static final long PAUSE_MILLIS = 200;

    private final long limitMillis;
    private final Consumer<String> report;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long slowestMillis;
    private volatile long pings;

    FxWatchdog(long limitMillis, Consumer<String> report) {
        this.limitMillis = limitMillis;
        this.report = report;
        thread = new Thread(this::watch, "fx-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        while (running) {
            CountDownLatch answered = new CountDownLatch(1);
            long sent = System.nanoTime();
            Platform.runLater(answered::countDown);
            try {
                if (!answered.await(limitMillis, TimeUnit.MILLISECONDS) && running) {
                    report.accept("the FX thread did not answer a ping within " + limitMillis + " ms; it was at:\n"
                            + fxThreadStack());
                    answered.await();
                }
                slowestMillis = Math.max(slowestMillis, (System.nanoTime() - sent) / 1_000_000);
                pings++;
                Thread.sleep(PAUSE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String fxThreadStack() {
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            if (e.getKey().getName().equals("JavaFX Application Thread")) {
                StringBuilder b = new StringBuilder();
                StackTraceElement[] stack = e.getValue();
                for (int i = 0; i < Math.min(stack.length, 30); i++) {
                    b.append("\tat ").append(stack[i]).append('\n');
                }
                return b.toString();
            }
        }
        return "\t(no FX thread found)";
    }

    /** The longest a ping took to be answered so far. */
    long slowestMillis() {
        return slowestMillis;
    }

    long pings() {
        return pings;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
