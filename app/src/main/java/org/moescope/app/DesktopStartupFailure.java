package org.moescope.app;

import java.util.Optional;

/**
 * Turns JavaFX's start-up failures on a desktop that cannot show a window (no reachable display, no GTK 3) into one
 * sentence that says what is missing and how to get it. The launcher checks both before starting Java; this covers
 * what it cannot see, such as a DISPLAY that is set but does not answer.
 */
final class DesktopStartupFailure {
    private DesktopStartupFailure() {
    }

    static Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (message.contains("Unable to open DISPLAY")) {
                return Optional.of("moescope: cannot open the display " + displayName() + ": run it from a desktop "
                        + "session, over ssh with 'ssh -X', or without a screen under 'xvfb-run ./moescope'; the CLI "
                        + "(./moescope generate|score|bench|devices|convert) needs no display.");
            }
            if (message.contains("glass GTK library") || message.contains("libgtk-3")) {
                return Optional.of("moescope: the app needs GTK 3 (libgtk-3.so.0), which could not be loaded: on "
                        + "Debian/Ubuntu 'sudo apt-get install libgtk-3-0' ('libgtk-3-0t64' on Ubuntu 24.04 and "
                        + "later), on Fedora 'sudo dnf install gtk3'; the CLI runs without it.");
            }
        }
        return Optional.empty();
    }

    private static String displayName() {
        String display = System.getenv("DISPLAY");
        return display == null || display.isEmpty() ? "(DISPLAY is unset)" : "'" + display + "'";
    }
}
