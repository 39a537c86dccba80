package org.moescope.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DesktopStartupFailureTest {

    @Test
    void anUnreachableDisplayGetsOneSentence() {
        String s = DesktopStartupFailure.explain(
                new RuntimeException("launch failed", new UnsupportedOperationException("Unable to open DISPLAY")))
                .orElseThrow();
        assertTrue(s.contains("cannot open the display") && s.contains("xvfb-run"), s);
        assertTrue(!s.contains("\n"), s);
    }

    @Test
    void missingGtkNamesThePackages() {
        String s = DesktopStartupFailure.explain(new UnsatisfiedLinkError("Unable to load glass GTK library.")).orElseThrow();
        assertTrue(s.contains("libgtk-3-0") && s.contains("gtk3"), s);
    }

    @Test
    void otherFailuresAreLeftAlone() {
        assertTrue(DesktopStartupFailure.explain(new IllegalStateException("a bug")).isEmpty());
    }
}
