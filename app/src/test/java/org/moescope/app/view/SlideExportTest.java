package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import javafx.scene.Scene;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tab;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.TimeWindow;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.export.slide.LegendEntry;
import org.moescope.app.export.slide.Slide;
import org.moescope.app.export.slide.SlideComposer;
import org.moescope.app.export.slide.SlideOptions;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.session.StepResult;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The slide export on a synthetic run: a 2x PNG is twice the 1x one, which is the view plus a title band and a
 * legend band; the legend lists the flame chart's stages in their colours, or the heatmap's colour scale and axes;
 * the SVG of the flame chart parses and has one rectangle per visible span.
 */
@ExtendWith(ApplicationExtension.class)
class SlideExportTest {
    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private TimelinePane timeline;
    private RoutingPane routing;
    private TabPane tabs;
    private SlideExport slides;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        vm = new SessionViewModel();
        timeline = new TimelinePane(steps);
        routing = new RoutingPane(steps, SyntheticSteps::tokenText);
        tabs = new TabPane(new Tab("Timeline", timeline), new Tab("Routing", routing));
        ExportActions exports = new ExportActions(vm, timeline, routing,
                () -> tabs.getSelectionModel().getSelectedIndex() == 0 ? timeline.flameChart() : routing.tokenHeatmap());
        slides = exports.slides();
        stage.setScene(new Scene(tabs, 1200, 760));
        stage.show();
        steps.setAll(SyntheticSteps.run(3, 8, 5, 16, 4));
    }

    @Test
    void aTwoTimesSlideIsTwiceTheOneTimesSlideWhichIsTheChartPlusItsBands(@TempDir Path dir) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        FlameChart chart = timeline.flameChart();
        double[] chartSize = fx(() -> new double[] {chart.getWidth(), chart.getHeight()});

        Image one = export(dir.resolve("one.png"), new SlideOptions("1x", true, true, SlideOptions.Format.PNG));
        Image two = export(dir.resolve("two.png"), new SlideOptions("2x", true, true, SlideOptions.Format.PNG));
        Image bare = export(dir.resolve("bare.png"), new SlideOptions("1x", false, false, SlideOptions.Format.PNG));

        assertEquals(chartSize[0], one.getWidth(), "the 1x slide is as wide as the chart on screen");
        assertEquals(chartSize[0], bare.getWidth());
        assertEquals(chartSize[1], bare.getHeight(), "without title and legend, the slide is the chart alone");
        assertTrue(one.getHeight() > chartSize[1] + 60,
                "the title and legend bands add height: " + one.getHeight() + " px for a chart of " + chartSize[1]);
        assertEquals(2 * one.getWidth(), two.getWidth(), "2x is twice as wide");
        assertEquals(2 * one.getHeight(), two.getHeight(), 2, "2x is twice as high");

        // the legend band (the slide's last rows) has drawn pixels (swatches, text), not only the background
        int drawn = differentFromBackground(one, (int) one.getHeight() - 40, (int) one.getHeight());
        assertTrue(drawn > 200, "the legend band shows swatches and text: " + drawn + " drawn pixels");
    }

    @Test
    void theFlameChartsLegendIsItsStagesInTheirColours() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        FlameChart chart = timeline.flameChart();
        Slide slide = fx(() -> slides.slide(chart));
        List<String> keys = fx(() -> timeline.legend().keys());
        assertTrue(keys.containsAll(List.of("router", "gate", "down", "attn")), "stages of the run: " + keys);
        assertEquals(keys, slide.legend().stream().map(LegendEntry::label).toList());
        for (LegendEntry e : slide.legend()) {
            assertEquals(fx(() -> chart.colorFor(e.label())), e.color(), e.label() + "'s swatch");
        }
        assertTrue(slide.title().startsWith("Timeline"), slide.title());
        assertTrue(slide.axes().stream().anyMatch(a -> a.contains("time")), "the time axis is named: " + slide.axes());

        Region composed = fx(() -> SlideComposer.compose(slide, SlideContent.picture(chart, 1), chart.getWidth(),
                chart.getHeight(), SlideOptions.DEFAULT));
        assertEquals(keys, fx(() -> SlideComposer.legendTexts(composed)), "the composed slide shows every entry");
        Region noLegend = fx(() -> SlideComposer.compose(slide, SlideContent.picture(chart, 1), chart.getWidth(),
                chart.getHeight(), new SlideOptions("1x", true, false, SlideOptions.Format.PNG)));
        assertEquals(List.of(), fx(() -> SlideComposer.legendTexts(noLegend)), "legend off: no legend");
    }

    @Test
    void theHeatmapsSlideHasItsColourScaleAndAxisNames() throws Exception {
        fx(() -> {
            tabs.getSelectionModel().select(1);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        RoutingHeatmap heatmap = routing.tokenHeatmap();
        Slide slide = fx(() -> slides.slide(heatmap));
        assertNotNull(slide.colorBar(), "a colour scale legend");
        assertEquals(fx(() -> heatmap.getData().valueName()), slide.colorBar().valueName());
        assertEquals(fx(() -> heatmap.cellColor(0)), slide.colorBar().colors().get(0), "the scale starts at 0's colour");
        assertTrue(slide.axes().containsAll(List.of("rows: token", "columns: expert")), slide.axes().toString());
        assertTrue(slide.title().contains("layer"), "the title names the layer: " + slide.title());
    }

    @Test
    void theFlameChartsSvgHasOneRectanglePerVisibleSpan(@TempDir Path dir) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        FlameChart chart = timeline.flameChart();
        // a window on part of the run: spans outside it are left out
        fx(() -> {
            FlameLayout l = chart.getLayout();
            chart.windowProperty().set(TimeWindow.around(l.durationNanos() * 0.3, l.durationNanos() * 0.6, l.durationNanos()));
            return null;
        });
        int visible = fx(() -> {
            int[] n = {0};
            TimeWindow w = chart.getWindow();
            chart.getLayout().visit(FlameLayout.DEPTH_STAGE, w.startNanos(), w.endNanos(), 0, (i, s, e, merged) -> n[0]++);
            return n[0];
        });
        int all = fx(() -> chart.getLayout().count(FlameLayout.DEPTH_STAGE));
        assertTrue(visible > 10 && visible < all, visible + " of " + all + " spans in the window");

        Path file = dir.resolve("slide.svg");
        await(fx(() -> slides.export(file, new SlideOptions("2x", true, true, SlideOptions.Format.SVG))));
        Files.createDirectories(Path.of("target", "slide-test"));
        Files.copy(file, Path.of("target", "slide-test", "slide.svg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        NodeList rects = svg.getElementsByTagName("rect");
        int stageRects = 0;
        int swatches = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            String cls = ((Element) rects.item(i)).getAttribute("class");
            stageRects += cls.equals("stage") ? 1 : 0;
            swatches += cls.equals("swatch") ? 1 : 0;
        }
        assertEquals(visible, stageRects, "one rectangle per visible span");
        List<String> keys = fx(() -> timeline.legend().keys());
        assertEquals(keys.size(), swatches, "one swatch per legend entry");
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("Timeline"), "the title");
        for (String key : keys) {
            assertTrue(text.contains(key), "the legend names " + key);
        }
        assertEquals(String.valueOf((int) Math.ceil(fx(chart::getWidth) * 2)), svg.getDocumentElement().getAttribute("width"),
                "2x: twice the chart's width");
    }

    @Test
    void theHeatmapsSvgHasOneRectanglePerCellInItsColour(@TempDir Path dir) throws Exception {
        fx(() -> {
            tabs.getSelectionModel().select(1);
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        RoutingHeatmap heatmap = routing.tokenHeatmap();
        Path file = dir.resolve("heatmap.svg");
        await(fx(() -> slides.export(file, new SlideOptions("1x", true, true, SlideOptions.Format.SVG))));
        Files.copy(file, Path.of("target", "slide-test", "heatmap.svg"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        int rows = fx(() -> heatmap.getData().rows());
        int cols = fx(() -> heatmap.getData().cols());
        List<Element> cells = new ArrayList<>();
        NodeList rects = svg.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            if (((Element) rects.item(i)).getAttribute("class").equals("cell")) {
                cells.add((Element) rects.item(i));
            }
        }
        assertEquals(rows * cols, cells.size(), "one rectangle per cell of " + rows + " x " + cols);
        // row-major: cell (r, c) is the (r * cols + c)-th, in the colour the app draws it with
        for (int r = 0; r < rows; r += Math.max(1, rows / 5)) {
            for (int c = 0; c < cols; c += 3) {
                int row = r;
                int col = c;
                Color expected = fx(() -> heatmap.cellColor(heatmap.getData().value(row, col)));
                assertEquals(Color.web(cells.get(r * cols + c).getAttribute("fill")), Color.color(
                        expected.getRed(), expected.getGreen(), expected.getBlue()), "cell " + r + ", " + c);
            }
        }
        String text = svg.getDocumentElement().getTextContent();
        assertTrue(text.contains("routing weight") && text.contains("token") && text.contains("expert"),
                "axis names and the value's name");
        assertEquals(2, svg.getElementsByTagName("linearGradient").getLength(), "a colour bar beside the cells and one in the legend");
    }

    @Test
    void theDialogStartsFromTheLastOptionsAndOffersSvgForTheFlameChartOnly() throws Exception {
        SlideOptions last = new SlideOptions("3840 px", false, true, SlideOptions.Format.SVG);
        SlideExportDialog flame = fx(() -> new SlideExportDialog(null, last, true, "the timeline", 1000, 200));
        assertEquals(last, fx(() -> flame.getResultConverter().call(javafx.scene.control.ButtonType.OK)));
        assertNull(fx(() -> flame.getResultConverter().call(javafx.scene.control.ButtonType.CANCEL)), "cancel: no export");
        SlideOptions chosen = fx(() -> {
            flame.size.setValue("3x");
            flame.title.setSelected(true);
            flame.legend.setSelected(false);
            flame.format.setValue(SlideOptions.Format.PNG);
            return flame.getResultConverter().call(javafx.scene.control.ButtonType.OK);
        });
        assertEquals(new SlideOptions("3x", true, false, SlideOptions.Format.PNG), chosen);
        assertEquals("the view at 3000 \u00d7 600 px, and the bands", fx(flame.pixels::getText));
        fx(() -> {
            flame.size.setValue("1920 px");
            return null;
        });
        assertEquals("the view at 1920 \u00d7 384 px, and the bands", fx(flame.pixels::getText));

        SlideExportDialog heatmap = fx(() -> new SlideExportDialog(null, last, false, "the token heatmap", 1000, 200));
        assertTrue(fx(() -> heatmap.format.isDisabled()), "no SVG for a heatmap");
        assertEquals(SlideOptions.Format.PNG, fx(() -> heatmap.getResultConverter().call(javafx.scene.control.ButtonType.OK).format()));
        // a look at the dialog for whoever changes it
        Path keep = Path.of("target", "slide-test");
        Files.createDirectories(keep);
        fx(() -> {
            flame.show();
            return null;
        });
        WaitForAsyncUtils.waitForFxEvents();
        fx(() -> {
            org.moescope.app.export.PngSnapshot.write(flame.getDialogPane(), keep.resolve("dialog.png"));
            flame.close();
            return null;
        });
    }

    @Test
    void theSubtitleNamesTheModelThePromptThePhasesAndTheDate() {
        String prompt = "There was a young lady of Riga who went for a ride on a tiger; they came back from the ride";
        String subtitle = SlideContent.subtitle("Qwen3-30B-A3B", prompt + "\n", SyntheticSteps.run(2, 8, 5, 16, 4),
                java.time.LocalDate.of(2026, 12, 3));
        assertEquals("Qwen3-30B-A3B  \u00b7  prompt \u201c" + prompt.substring(0, 59) + "\u2026\u201d  \u00b7  "
                + "prefill of 8 tokens + 5 decode steps  \u00b7  2026-12-03", subtitle);
        assertEquals("2026-12-03", SlideContent.subtitle("", " ", List.of(), java.time.LocalDate.of(2026, 12, 3)),
                "nothing but the date before a model and a run");
    }

    @Test
    void anyViewThatGivesALegendGetsItOnItsSlide() throws Exception {
        List<LegendEntry> entries = List.of(new LegendEntry(Color.web("#0072b2"), "expert 0"),
                new LegendEntry(Color.web("#e69f00"), "expert 1"));
        class ExpertGrid extends Region implements org.moescope.app.export.slide.LegendSource {
            @Override
            public List<LegendEntry> legendEntries() {
                return entries;
            }
        }
        Slide slide = fx(() -> SlideContent.of(new ExpertGrid(), "Experts", ""));
        assertEquals(entries, slide.legend());
        assertEquals(List.of(), fx(() -> SlideContent.of(new Region(), "A view", "")).legend(), "no legend to give");
    }

    private Image export(Path file, SlideOptions options) throws Exception {
        await(fx(() -> slides.export(file, options)));
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        Path keep = Path.of("target", "slide-test");
        Files.createDirectories(keep);
        Files.copy(file, keep.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (InputStream in = Files.newInputStream(file)) {
            Image image = new Image(in);
            assertTrue(image.getWidth() > 0, "a readable PNG");
            return image;
        }
    }

    private static int differentFromBackground(Image image, int fromRow, int toRow) {
        PixelReader px = image.getPixelReader();
        Color background = px.getColor(0, toRow - 1);
        int n = 0;
        for (int y = Math.max(0, fromRow); y < toRow; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (!px.getColor(x, y).equals(background)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void await(Task<Void> task) throws Exception {
        assertNotNull(task, "the export started");
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> fx(task::isDone));
        assertEquals(javafx.concurrent.Worker.State.SUCCEEDED, fx(task::getState), () -> String.valueOf(task.getException()));
    }

    private static <T> T fx(Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
    }
}
