package org.moescope.app.view;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import javafx.concurrent.Task;
import javafx.scene.Node;
import javafx.scene.image.Image;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.stage.FileChooser;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.TimeWindow;
import org.moescope.app.control.heatmap.ColorScale;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.export.AtomicFileWriter;
import org.moescope.app.export.PngEncoder;
import org.moescope.app.export.slide.FlameSvgWriter;
import org.moescope.app.export.slide.HeatmapSvgWriter;
import org.moescope.app.export.slide.Slide;
import org.moescope.app.export.slide.SlideComposer;
import org.moescope.app.export.slide.SlideOptions;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.service.ErrorMessages;
import org.moescope.app.viewmodel.SessionViewModel;

/**
 * File ▸ Export the view as a slide: the current view (the flame chart, the token heatmap, or the tab) at a chosen
 * size with a title band and a legend band, as PNG or (the flame chart and the heatmaps) SVG. The picture and the slide are made on
 * the FX thread, the file is written in the background through {@link AtomicFileWriter}. The options are remembered
 * (in the preferences when the app has them).
 */
public final class SlideExport {
    private final SessionViewModel vm;
    private final RoutingPane routing;
    private final Supplier<Node> view;
    private final ExportActions exports;
    private AppPreferences prefs;
    private SlideOptions last = SlideOptions.DEFAULT;

    SlideExport(SessionViewModel vm, RoutingPane routing, Supplier<Node> view, ExportActions exports) {
        this.vm = vm;
        this.routing = routing;
        this.view = view;
        this.exports = exports;
    }

    /** Remembers the options in {@code prefs} and starts from the ones saved there. */
    public void usePreferences(AppPreferences prefs) {
        this.prefs = prefs;
        this.last = prefs.slideOptions();
    }

    public SlideOptions lastOptions() {
        return last;
    }

    /** The options dialog, then the file chooser, then the export. */
    public void exportSlide() {
        Node node = view.get();
        var window = node.getScene() == null ? null : node.getScene().getWindow();
        double width = Math.max(1, node.getLayoutBounds().getWidth());
        SlideExportDialog dialog = new SlideExportDialog(window, last,
                node instanceof FlameChart || node instanceof RoutingHeatmap,
                node instanceof FlameChart ? "the flame chart" : node instanceof RoutingHeatmap ? "the heatmap" : "the tab",
                width, node.getLayoutBounds().getHeight());
        dialog.showAndWait().ifPresent(options -> {
            remember(options);
            boolean svg = options.format() == SlideOptions.Format.SVG;
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export the view as a slide");
            chooser.setInitialFileName(svg ? "moescope-slide.svg" : "moescope-slide.png");
            chooser.getExtensionFilters().add(svg ? new FileChooser.ExtensionFilter("SVG image", "*.svg")
                    : new FileChooser.ExtensionFilter("PNG image", "*.png"));
            var file = chooser.showSaveDialog(window);
            if (file != null) {
                export(file.toPath(), options);
            }
        });
    }

    private void remember(SlideOptions options) {
        last = options;
        if (prefs != null) {
            prefs.setSlideOptions(options);
        }
    }

    /** The slide of the current view; FX thread. */
    public Slide slide(Node node) {
        String subtitle = SlideContent.subtitle(vm.modelNameProperty().get(), vm.promptProperty().get(), vm.steps(),
                LocalDate.now());
        return SlideContent.of(node, titleOf(node), subtitle);
    }

    /** Exports the current view with {@code options} (no dialog); null when there is nothing to export. */
    public Task<Void> export(Path file, SlideOptions options) {
        Node node = view.get();
        double width = node.getLayoutBounds().getWidth();
        double height = node.getLayoutBounds().getHeight();
        if (!(width >= 1 && height >= 1)) {
            vm.showError("Nothing to export: the view is not shown (size " + width + " x " + height + ").");
            return null;
        }
        Slide slide = slide(node);
        try {
            if (options.format() == SlideOptions.Format.SVG && node instanceof RoutingHeatmap heatmap) {
                HeatmapData data = heatmap.getData();
                ColorScale scale = heatmap.colorScale();
                if (data.isEmpty()) {
                    vm.showError("Nothing to export: the heatmap is empty until the model has run.");
                    return null;
                }
                return exports.write("Slide", file, () -> AtomicFileWriter.writeText(file,
                        out -> HeatmapSvgWriter.write(slide, options, data, scale, width, height, out)));
            }
            if (options.format() == SlideOptions.Format.SVG) {
                if (!(node instanceof FlameChart chart)) {
                    vm.showError("SVG export is for the flame chart and the heatmaps; export this view as PNG.");
                    return null;
                }
                FlameLayout layout = chart.getLayout();
                TimeWindow window = chart.getWindow();
                Map<String, Color> colors = new HashMap<>();
                for (int d = 0; d < FlameLayout.DEPTHS; d++) {
                    for (int i = 0; i < layout.count(d); i++) {
                        colors.computeIfAbsent(layout.colorKey(d, i),
                                k -> chart.colorFor(k) instanceof Color c ? c : Color.GRAY);
                    }
                }
                return exports.write("Slide", file, () -> AtomicFileWriter.writeText(file,
                        out -> FlameSvgWriter.write(slide, options, layout, window, width, colors::get, out)));
            }
            double scale = options.checkedScale(width, height);
            Image picture = SlideContent.picture(node, scale);
            Region composed = SlideComposer.compose(slide, picture, width, height, options);
            int[] size = new int[2];
            int[] argb = SlideComposer.pixels(composed, scale, slide.background(), size);
            return exports.write("Slide (" + size[0] + " x " + size[1] + " px)", file,
                    () -> AtomicFileWriter.write(file, out -> PngEncoder.write(argb, size[0], size[1], out)));
        } catch (IllegalArgumentException | OutOfMemoryError e) {
            // a picture too large to draw, or no heap left for its pixels: the app goes on
            vm.showError(ErrorMessages.describe("Exporting the slide", e));
            return null;
        }
    }

    /** The slide's title: what the view shows (the subtitle says of which model and run). */
    public String titleOf(Node node) {
        String what;
        if (node instanceof FlameChart) {
            what = "Timeline of every profiled stage";
        } else if (node instanceof RoutingHeatmap hm && node == routing.tokenHeatmap() && !routing.run().isEmpty()
                && routing.layerIndexProperty().get() >= 0
                && routing.layerIndexProperty().get() < routing.run().layers().length) {
            what = "Token \u00d7 expert at layer " + routing.run().layers()[routing.layerIndexProperty().get()] + ": "
                    + hm.getData().valueName();
        } else if (node instanceof RoutingHeatmap hm) {
            what = hm.getData().rowAxis() + " \u00d7 " + hm.getData().colAxis() + ": " + hm.getData().valueName();
        } else {
            what = "MoEScope";
        }
        return what;
    }
}
