package org.moescope.app.view;

import java.nio.file.Path;
import javafx.concurrent.Task;

/**
 * File ▸ Export without its file chooser (which the headless test platform cannot show), for tests outside this
 * package. Call on the FX thread; each returns the writing task, or null when there was nothing to export.
 */
public final class ExportsForTests {
    private ExportsForTests() {
    }

    public static Task<Void> exportTrace(MainWindow window, Path file) {
        return window.exports().exportTrace(file);
    }

    public static Task<Void> exportRouting(MainWindow window, Path file) {
        return window.exports().exportRouting(file);
    }

    public static Task<Void> saveChartPng(MainWindow window, Path file) {
        return window.exports().saveChartPng(file);
    }
}
