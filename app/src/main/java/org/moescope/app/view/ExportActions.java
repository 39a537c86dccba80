package org.moescope.app.view;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import javafx.application.Platform;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.concurrent.Task;
import javafx.scene.Node;
import javafx.stage.FileChooser;
import org.moescope.app.export.AtomicFileWriter;
import org.moescope.app.export.ChromeTraceExporter;
import org.moescope.app.export.PngEncoder;
import org.moescope.app.export.PngSnapshot;
import org.moescope.app.export.RoutingCsvExporter;
import org.moescope.app.service.ErrorMessages;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;

/**
 * File ▸ Export: the trace as Chrome Trace JSON, the routing as CSV, the current chart as PNG, the current view as a
 * slide ({@link SlideExport}). The data is taken on
 * the FX thread; files are written on a background thread; the outcome appears in the status bar (errors in the
 * notification bar). A file is replaced only once it is completely written, so a failed or cancelled export leaves the
 * old file as it was.
 */
final class ExportActions {
    private final SessionViewModel vm;
    private final TimelinePane timeline;
    private final RoutingPane routing;
    private final Supplier<Node> chart;
    private final Set<Task<Void>> running = new HashSet<>();
    private final ReadOnlyBooleanWrapper writing = new ReadOnlyBooleanWrapper(this, "writing");
    private final SlideExport slides;

    ExportActions(SessionViewModel vm, TimelinePane timeline, RoutingPane routing, Supplier<Node> chart) {
        this.vm = vm;
        this.timeline = timeline;
        this.routing = routing;
        this.chart = chart;
        this.slides = new SlideExport(vm, routing, chart, this);
    }

    /** File ▸ Export the view as a slide (scaled PNG or SVG with title and legend). */
    SlideExport slides() {
        return slides;
    }

    void exportTrace() {
        Path file = choose("Export the trace (Chrome Trace Event JSON)", "moescope-trace.json", "Chrome Trace JSON", "*.json");
        if (file != null) {
            exportTrace(file);
        }
    }

    void exportRouting() {
        Path file = choose("Export the routing (CSV)", "moescope-routing.csv", "CSV", "*.csv");
        if (file != null) {
            exportRouting(file);
        }
    }

    void saveChartPng() {
        Path file = choose("Save the chart as PNG", "moescope-chart.png", "PNG image", "*.png");
        if (file != null) {
            saveChartPng(file);
        }
    }

    /** Writes every profiled span of the run; refuses when there is none. */
    Task<Void> exportTrace(Path file) {
        List<StageSpan> spans = timeline.spans();
        if (spans.isEmpty()) {
            vm.showError("Nothing to export: run with profiling on to record a trace.");
            return null;
        }
        return write("Trace (" + spans.size() + " events)", file, () -> ChromeTraceExporter.write(spans, file));
    }

    /** Writes the routing of every step that captured it. */
    Task<Void> exportRouting(Path file) {
        List<StepRouting> routings = routing.routings().stream().filter(r -> r != null).toList();
        if (routings.isEmpty()) {
            vm.showError("Nothing to export: run the model first to record its routing.");
            return null;
        }
        return write("Routing", file, () -> RoutingCsvExporter.write(routings, vm.tokenText(), file));
    }

    /** Snapshots the current chart (on the FX thread) and writes it as PNG. */
    Task<Void> saveChartPng(Path file) {
        int[] size = new int[2];
        int[] argb;
        try {
            argb = PngSnapshot.pixels(chart.get(), size);
        } catch (IllegalArgumentException e) {
            vm.showError(ErrorMessages.describe("Saving the chart", e));
            return null;
        }
        return write("Chart", file,
                () -> AtomicFileWriter.write(file, out -> PngEncoder.write(argb, size[0], size[1], out)));
    }

    interface Writer {
        void write() throws IOException;
    }

    /** True while an export is being written (FX thread). */
    ReadOnlyBooleanProperty writingProperty() {
        return writing.getReadOnlyProperty();
    }

    /**
     * Cancels every export being written: each stops at its next write, its temporary file is deleted and the file it
     * would have replaced stays as it was. {@link #writingProperty()} turns false once their threads are done.
     */
    void cancelAll() {
        List.copyOf(running).forEach(task -> task.cancel(true));
    }

    /** Writes on a background thread; the file is replaced only when {@code writer} completes (AtomicFileWriter). */
    Task<Void> write(String what, Path file, Writer writer) {
        Task<Void> task = new Task<>() {
            @Override
            protected Void call() throws IOException {
                try {
                    writer.write();
                } finally {
                    // the thread, not the task state, tells when the temporary file is gone
                    Platform.runLater(() -> {
                        running.remove(this);
                        writing.set(!running.isEmpty());
                    });
                }
                return null;
            }
        };
        task.setOnSucceeded(e -> vm.showStatus(what + " written to " + file));
        task.setOnFailed(e -> vm.showError(ErrorMessages.describe("Writing " + file, task.getException())));
        task.setOnCancelled(e -> vm.showStatus(what + " not written: cancelled (" + file + " unchanged)"));
        running.add(task);
        writing.set(true);
        Thread thread = new Thread(task, "moescope-export");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private Path choose(String title, String name, String description, String pattern) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle(title);
        chooser.setInitialFileName(name);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter(description, pattern));
        var window = timeline.getScene() == null ? null : timeline.getScene().getWindow();
        var file = chooser.showSaveDialog(window);
        return file == null ? null : file.toPath();
    }
}
