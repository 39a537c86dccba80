package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.export.PngSnapshot;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.app.view.routing.RoutingStats;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class RoutingPaneTest {

    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private RoutingPane pane;

    @Start
    void start(Stage stage) {
        pane = new RoutingPane(steps, SyntheticSteps::tokenText);
        stage.setScene(new Scene(pane, 1260, 780));
        stage.show();
    }

    @Test
    void heatmapCellsEqualTheEngineRoutingAtTheChosenLayer(FxRobot robot) {
        List<StepResult> run = SyntheticSteps.run(4, 12, 6, 16, 4);
        robot.interact(() -> steps.addAll(run));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> pane.layerIndexProperty().set(2));
        HeatmapData h = pane.tokenHeatmap().getData();
        assertEquals(12 + 6, h.rows());
        assertEquals(16, h.cols());
        int row = 0;
        for (StepResult s : run) {
            LayerRouting l = s.routing().layers().get(2);
            for (int t = 0; t < l.tokens(); t++, row++) {
                for (int e = 0; e < 16; e++) {
                    double expected = 0;
                    for (int j = 0; j < l.k(); j++) {
                        if (l.ids()[t * l.k() + j] == e) {
                            expected = l.weights()[t * l.k() + j];
                        }
                    }
                    assertEquals(expected, h.value(row, e), 0.0, "row " + row + " expert " + e);
                }
            }
        }
        long[] loads = new long[16];
        for (StepResult s : run) {
            for (int id : s.routing().layers().get(2).ids()) {
                loads[id]++;
            }
        }
        HeatmapData load = pane.loadHeatmap().getData();
        for (int e = 0; e < 16; e++) {
            assertEquals(loads[e], load.value(2, e), 0.0);
        }
        RoutingStats stats = RoutingStats.of(loads);
        assertTrue(pane.balanceText().contains(String.format(java.util.Locale.ROOT, "max/mean %.2f", stats.maxOverMean())),
                pane.balanceText());
        assertEquals(4, pane.balanceTable().getItems().size());
        assertEquals(18, pane.routedText().tokenLabels().size());
    }

    @Test
    void aGrowingRunExtendsTheTextAndAnotherLayerRecoloursIt(FxRobot robot) {
        List<StepResult> run = SyntheticSteps.run(4, 12, 6, 16, 4);
        robot.interact(() -> steps.addAll(run.subList(0, 3)));
        WaitForAsyncUtils.waitForFxEvents();
        Label first = pane.routedText().tokenLabels().get(0);
        assertEquals(14, pane.routedText().tokenLabels().size());
        robot.interact(() -> steps.add(run.get(3)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(15, pane.routedText().tokenLabels().size());
        assertTrue(first == pane.routedText().tokenLabels().get(0), "kept, not rebuilt");
        robot.interact(() -> pane.layerIndexProperty().set(1));
        List<Label> labels = pane.routedText().tokenLabels();
        for (int i = 0; i < labels.size(); i++) {
            int top1 = pane.run().top1(pane.routedText().rowOf(labels.get(i)), 1);
            javafx.scene.paint.Paint fill = labels.get(i).getBackground().getFills().get(0).getFill();
            assertEquals(org.moescope.app.control.ExpertPalette.color(top1), fill);
        }
    }

    @Test
    void clickingATokenOpensTheInspectorAndSnapshotIsWritten(FxRobot robot) throws Exception {
        List<StepResult> run = SyntheticSteps.run(4, 12, 6, 16, 4);
        robot.interact(() -> steps.addAll(run));
        WaitForAsyncUtils.waitForFxEvents();
        Label third = pane.routedText().tokenLabels().get(2);
        robot.clickOn(third);
        assertEquals(2, pane.selectedRowProperty().get());
        assertEquals(2, pane.tokenHeatmap().selectedRowProperty().get());
        assertTrue(pane.inspector().headerText().contains("step 0 (prefill, 12 tokens in the step)"), pane.inspector().headerText());
        LayerRouting l0 = run.get(0).routing().layers().get(0);
        List<String> cells = pane.inspector().topKRows();
        // header (4) then per rank: rank, expert, probability, weight
        assertEquals(Integer.toString(l0.ids()[2 * 4]), cells.get(5));
        assertEquals(String.format(java.util.Locale.ROOT, "%.4f", l0.weights()[2 * 4]), cells.get(7));
        assertTrue(pane.inspector().stageRows().contains("route_ids"));
        assertTrue(cells.stream().anyMatch(c -> c.contains("renormalised")));

        // picking a layer in the load heatmap moves every layer view
        Bounds b = pane.loadHeatmap().localToScreen(pane.loadHeatmap().getBoundsInLocal());
        robot.clickOn(b.getMinX() + b.getWidth() / 2, b.getMinY() + 6 + 3.5 * (b.getHeight() - 40) / 4);
        assertEquals(3, pane.layerIndexProperty().get());
        assertTrue(pane.inspector().headerText().endsWith("layer 3"));

        // a decode token shows the decode stages of its switch state
        robot.clickOn(pane.routedText().tokenLabels().get(17));
        assertTrue(pane.inspector().stageRows().contains("gate"), pane.inspector().stageRows().toString());
        robot.clickOn(pane.routedText().tokenLabels().get(13));
        assertTrue(pane.inspector().stageRows().contains("gate_up_silu"), pane.inspector().stageRows().toString());

        Bounds hb = pane.tokenHeatmap().localToScreen(pane.tokenHeatmap().getBoundsInLocal());
        robot.moveTo(hb.getMinX() + hb.getWidth() * 0.45, hb.getMinY() + hb.getHeight() * 0.3);
        assertTrue(pane.tokenHeatmap().lookup(".heatmap-tooltip").isVisible());
        Path dir = Files.createDirectories(Path.of("target", "snapshots"));
        robot.interact(() -> {
            try {
                PngSnapshot.write(pane, dir.resolve("routing.png"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(Files.size(dir.resolve("routing.png")) > 1000);
    }
}
