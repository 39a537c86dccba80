package org.moescope.app.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Catches what a user would see as the app breaking while a test drives it: an exception no code caught (on any
 * thread, the FX thread included), an exception or stack trace printed to standard error, and a log record that
 * carries an exception. Each becomes one line in {@link #failures()}; standard error still reaches the terminal.
 */
final class ErrorTraps implements AutoCloseable {
    /** A stack trace line, a "Caused by", or an exception's name as printed by Throwable.toString. */
    private static final Pattern TRACE_LINE = Pattern.compile(
            "^\\s+at [\\w$.]+\\(.*\\)$|^Caused by: |Exception\\b|\\b[A-Z]\\w*Error\\b");

    private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    private final Thread.UncaughtExceptionHandler previousDefault = Thread.getDefaultUncaughtExceptionHandler();
    private final PrintStream previousErr = System.err;
    private final Handler logHandler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record.getMessage() == null ? "" : record.getMessage();
            if (record.getThrown() != null || TRACE_LINE.matcher(message).find()) {
                failures.add("logged by " + record.getLoggerName() + " (" + record.getLevel() + "): " + message
                        + (record.getThrown() == null ? "" : "\n" + stackTrace(record.getThrown())));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    ErrorTraps() {
        Thread.setDefaultUncaughtExceptionHandler(this::uncaught);
        System.setErr(new PrintStream(new LineTee(previousErr), true, StandardCharsets.UTF_8));
        Logger.getLogger("").addHandler(logHandler);
    }

    /** Also catches what escapes on the calling thread when it has a handler of its own; call on the FX thread. */
    void trapCurrentThread() {
        Thread.currentThread().setUncaughtExceptionHandler(this::uncaught);
    }

    private void uncaught(Thread thread, Throwable error) {
        failures.add("uncaught on thread \"" + thread.getName() + "\": " + stackTrace(error));
        previousErr.println("ErrorTraps: uncaught on thread \"" + thread.getName() + "\":");
        error.printStackTrace(previousErr);
    }

    /** Adds a failure found by another check (the watchdog, a consistency check). */
    void fail(String failure) {
        failures.add(failure);
    }

    List<String> failures() {
        synchronized (failures) {
            return List.copyOf(failures);
        }
    }

    boolean failed() {
        return !failures.isEmpty();
    }

    @Override
    public void close() {
        Thread.setDefaultUncaughtExceptionHandler(previousDefault);
        System.err.flush();
        System.setErr(previousErr);
        Logger.getLogger("").removeHandler(logHandler);
    }

    static String stackTrace(Throwable error) {
        var out = new java.io.StringWriter();
        error.printStackTrace(new java.io.PrintWriter(out));
        String text = out.toString();
        // the top of the trace is what says where; the rest is the FX event machinery
        String[] lines = text.split("\n");
        return lines.length <= 25 ? text : String.join("\n", java.util.Arrays.copyOf(lines, 25)) + "\n\t...";
    }

    /** Passes bytes on to the real standard error and checks each complete line. */
    private final class LineTee extends OutputStream {
        private final PrintStream target;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineTee(PrintStream target) {
            this.target = target;
        }

        @Override
        public synchronized void write(int b) {
            target.write(b);
            if (b == '\n') {
                check();
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        @Override
        public synchronized void flush() {
            target.flush();
        }

        private void check() {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (TRACE_LINE.matcher(text).find()) {
                failures.add("printed to stderr: " + text.strip());
            }
        }
    }
}
