package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.concurrent.Task;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** After a real run in the app: the routing heatmap shows the engine's routing, and File ▸ Export writes it all. */
@ExtendWith(ApplicationExtension.class)
class ExportAndRoutingWiringTest {
    @TempDir
    Path dir;

    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-test/" + System.nanoTime()));
        prefs.setModel("");
        prefs.setDevice("java");
        window = MoeScopeApp.open(stage, prefs, true);
        vm = window.viewModel();
    }

    private <T> T fx(java.util.concurrent.Callable<T> c) throws Exception {
        return WaitForAsyncUtils.asyncFx(c).get(300, TimeUnit.SECONDS);
    }

    private void awaitIdle() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(300, TimeUnit.SECONDS, () -> fx(() -> !vm.busyProperty().get()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private List<StepResult> generate(FxRobot robot) throws Exception {
        awaitIdle();
        fx(() -> {
            vm.maxNewTokensProperty().set(3);
            return null;
        });
        robot.clickOn("#generate-button");
        awaitIdle();
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        return fx(() -> List.copyOf(vm.steps()));
    }

    @Test
    void tokenHeatmapCellsAreTheEnginesRoutingWeights(FxRobot robot) throws Exception {
        List<StepResult> steps = generate(robot);
        robot.clickOn("#tab-routing .tab-label");
        WaitForAsyncUtils.waitForFxEvents();
        HeatmapData data = fx(() -> window.routing().tokenHeatmap().getData());
        int layer = steps.get(0).routing().layers().get(0).layer();
        assertEquals(layer, fx(() -> window.routing().run().layers()[window.routing().layerIndexProperty().get()]));
        int row = 0;
        for (StepResult step : steps) {
            LayerRouting routing = step.routing().layers().get(0);
            for (int t = 0; t < routing.tokens(); t++, row++) {
                double[] expected = new double[routing.experts()];
                for (int j = 0; j < routing.k(); j++) {
                    expected[routing.ids()[t * routing.k() + j]] = routing.weights()[t * routing.k() + j];
                }
                double[] shown = new double[routing.experts()];
                for (int e = 0; e < routing.experts(); e++) {
                    shown[e] = data.value(row, e);
                }
                assertArrayEquals(expected, shown, "row " + row + " (step " + step.step() + ", token " + t + ")");
            }
        }
        assertEquals(row, data.rows(), "one heatmap row per routed token of the run");
    }

    @Test
    void exportsTheTraceTheRoutingAndTheChart(FxRobot robot) throws Exception {
        List<StepResult> steps = generate(robot);
        robot.clickOn("#tab-timeline .tab-label");
        WaitForAsyncUtils.waitForFxEvents();
        long spans = steps.stream().mapToLong(s -> s.spans().size()).sum();

        Path trace = dir.resolve("trace.json");
        await(fx(() -> window.exports().exportTrace(trace)));
        JsonObject json = JsonParser.parseString(Files.readString(trace)).getAsJsonObject();
        long stageEvents = 0;
        for (JsonElement e : json.getAsJsonArray("traceEvents")) {
            JsonObject event = e.getAsJsonObject();
            if ("X".equals(event.get("ph").getAsString()) && !"step".equals(event.get("cat").getAsString())) {
                stageEvents++;
                assertTrue(event.get("dur").getAsDouble() >= 0);
                assertNotNull(event.get("args"));
            }
        }
        assertEquals(spans, stageEvents, "one X event per recorded span");

        Path csv = dir.resolve("routing.csv");
        await(fx(() -> window.exports().exportRouting(csv)));
        long expectedRows = steps.stream().flatMap(s -> s.routing().layers().stream())
                .mapToLong(l -> (long) l.tokens() * l.k()).sum();
        assertEquals(1 + expectedRows, csvRecords(Files.readString(csv)), "header + one record per (token, layer, rank)");

        Path png = dir.resolve("chart.png");
        await(fx(() -> window.exports().saveChartPng(png)));
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, head);
        assertTrue(fx(() -> vm.statusProperty().get()).startsWith("Chart written to"));
    }

    /** Records of an RFC 4180 text: line ends inside quoted fields (token texts may hold newlines) do not count. */
    private static long csvRecords(String text) {
        long records = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\n' && !quoted) {
                records++;
            }
        }
        return records;
    }

    private void await(Task<Void> task) throws Exception {
        assertNotNull(task, "the export started");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fx(task::isDone));
        WaitForAsyncUtils.waitForFxEvents();
        assertNull(fx(task::getException));
    }
}
