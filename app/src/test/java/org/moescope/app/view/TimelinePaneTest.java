package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Bounds;
import javafx.scene.Scene;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameChartSkin;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.TimeWindow;
import org.moescope.app.export.PngSnapshot;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.app.view.timeline.StageSummary;
import org.moescope.app.view.timeline.TimelineBuilder;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

@ExtendWith(ApplicationExtension.class)
class TimelinePaneTest {

    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private TimelinePane pane;

    @Start
    void start(Stage stage) {
        pane = new TimelinePane(steps);
        stage.setScene(new Scene(pane, 1200, 700));
        stage.show();
    }

    private FlameChart chart() {
        return pane.flameChart();
    }

    @Test
    void rendersEveryStageOfEveryLayerAndTheTableSumsThem(FxRobot robot) throws Exception {
        List<StepResult> run = SyntheticSteps.run(4, 12, 6, 16, 4);
        robot.interact(() -> steps.addAll(run));
        WaitForAsyncUtils.waitForFxEvents();
        int spans = run.stream().mapToInt(r -> r.spans().size()).sum();
        FlameLayout layout = chart().getLayout();
        assertEquals(spans, layout.count(FlameLayout.DEPTH_STAGE));
        assertEquals(7, layout.count(FlameLayout.DEPTH_STEP));
        StageSummary summary = pane.stageTable().summary();
        assertEquals(spans, summary.spans());
        double micros = run.stream().flatMap(r -> r.spans().stream()).mapToLong(StageSpan::durationNanos).sum() / 1000.0;
        assertEquals(micros, summary.totalMicros(), 1e-6);
        assertTrue(pane.legend().keys().containsAll(List.of("gate_up_silu", "gate", "up", "silu", "route_ids", "qkv", "lm_head")));
        Bounds b = chart().localToScreen(chart().getBoundsInLocal());
        robot.moveTo(b.getMinX() + FlameChartSkin.GUTTER + 150, b.getMinY() + 22 + 3 * 21 + 8);
        assertTrue(chart().lookup(".flame-tooltip").isVisible());
        Path dir = Files.createDirectories(Path.of("target", "snapshots"));
        robot.interact(() -> {
            try {
                PngSnapshot.write(pane, dir.resolve("timeline.png"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(Files.size(dir.resolve("timeline.png")) > 1000);
    }

    @Test
    void aLongRunIsBuiltInTheBackgroundAndShownWhole(FxRobot robot) throws Exception {
        List<StepResult> longRun = SyntheticSteps.run(48, 12, 160, 16, 4);
        int spans = longRun.stream().mapToInt(r -> r.spans().size()).sum();
        assertTrue(spans >= TimelineBuilder.BACKGROUND_SPANS, spans + " spans");
        robot.interact(() -> steps.addAll(longRun));
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(60, java.util.concurrent.TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(pane::isCurrent).get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(spans, chart().getLayout().count(FlameLayout.DEPTH_STAGE));
        assertEquals(spans, pane.stageTable().summary().spans(), "the whole run's table came with it");

    }

    @Test
    void clickSelectsABoxAndTheTableFollowsThenEscClears(FxRobot robot) {
        robot.interact(() -> steps.addAll(SyntheticSteps.run(2, 8, 3, 8, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        Bounds b = chart().localToScreen(chart().getBoundsInLocal());
        FlameLayout layout = chart().getLayout();
        // click the middle of step 2 on the step row
        double t = (layout.start(0, 2) + layout.end(0, 2)) / 2.0;
        double plot = chart().getWidth() - FlameChartSkin.GUTTER;
        double x = b.getMinX() + FlameChartSkin.GUTTER + chart().getWindow().toX(t, plot);
        double y = b.getMinY() + 22 + 10;
        robot.clickOn(x, y, MouseButton.PRIMARY);
        assertNotNull(chart().selectedBoxProperty().get());
        assertEquals(2, chart().selectedBoxProperty().get().index());
        assertEquals(layout.spansOf(0, 2).size(), pane.stageTable().summary().spans());
        assertTrue(pane.stageTable().caption().getText().startsWith("Selected step 2 decode"));
        robot.type(KeyCode.ESCAPE);
        assertNull(chart().getSelection());
        assertEquals(layout.spans().size(), pane.stageTable().summary().spans());
    }

    @Test
    void keysZoomAndFitAndShiftDragSelectsARange(FxRobot robot) {
        robot.interact(() -> steps.addAll(SyntheticSteps.run(2, 8, 3, 8, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        Bounds b = chart().localToScreen(chart().getBoundsInLocal());
                robot.clickOn(b.getMinX() + 2, b.getMinY() + 5); // focus (axis click selects nothing)
        TimeWindow before = chart().getWindow();
        robot.type(KeyCode.W);
        TimeWindow zoomed = chart().getWindow();
        assertTrue(zoomed.spanNanos() < before.spanNanos());
        robot.type(KeyCode.D);
        assertTrue(chart().getWindow().startNanos() > zoomed.startNanos());
        robot.type(KeyCode.F);
        assertEquals(TimeWindow.fit(chart().getLayout().durationNanos()), chart().getWindow());

        robot.press(KeyCode.SHIFT);
        robot.drag(b.getMinX() + 100, b.getMinY() + 60, MouseButton.PRIMARY).dropTo(b.getMinX() + 400, b.getMinY() + 60);
        robot.release(KeyCode.SHIFT);
        assertNotNull(chart().getSelection());
        assertNull(chart().selectedBoxProperty().get());
        double expectedSpan = 300.0 / (chart().getWidth() - FlameChartSkin.GUTTER) * chart().getWindow().spanNanos();
        assertEquals(expectedSpan, chart().getSelection().spanNanos(), expectedSpan * 0.05);
        assertTrue(pane.stageTable().caption().getText().startsWith("Selected range"));
        assertTrue(pane.stageTable().summary().spans() < chart().getLayout().spans().size());
    }

    private javafx.scene.control.Label legendItem(String key) {
        return pane.legend().getChildren().stream().map(n -> (javafx.scene.control.Label) n)
                .filter(l -> l.getText().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void legendAndTableRowsPickAStageOutAndEscShowsAllAgain(FxRobot robot) {
        robot.interact(() -> steps.addAll(SyntheticSteps.run(2, 8, 3, 8, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn(legendItem("down"));
        assertEquals("down", chart().highlightedStageProperty().get());
        robot.clickOn(legendItem("down"));
        assertNull(chart().highlightedStageProperty().get());
        robot.interact(() -> pane.stageTable().tableView().getSelectionModel().select(0));
        assertEquals(pane.stageTable().tableView().getItems().get(0).stage(), chart().highlightedStageProperty().get());
        robot.interact(() -> chart().select(new org.moescope.app.control.flame.FlameBox(0, 0)));
        robot.clickOn(chart(), MouseButton.SECONDARY);
        robot.type(KeyCode.ESCAPE);
        assertNull(chart().getSelection());
        assertNotNull(chart().highlightedStageProperty().get());
        robot.type(KeyCode.ESCAPE);
        assertNull(chart().highlightedStageProperty().get());
    }

    @Test
    void aGrowingRunKeepsAZoomedViewAndAResetStartsOver(FxRobot robot) {
        List<StepResult> run = SyntheticSteps.run(2, 8, 6, 8, 2);
        robot.interact(() -> steps.addAll(run.subList(0, 4)));
        WaitForAsyncUtils.waitForFxEvents();
        // showing the whole run: the view follows the growth
        robot.interact(() -> steps.add(run.get(4)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TimeWindow.fit(chart().getLayout().durationNanos()), chart().getWindow());
        // zoomed in with a selection: both stay while steps arrive
        robot.interact(() -> {
            chart().zoomAt(50, chart().getWidth(), 4);
            chart().select(new org.moescope.app.control.flame.FlameBox(0, 1));
        });
        TimeWindow zoomed = chart().getWindow();
        robot.interact(() -> steps.add(run.get(5)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(zoomed, chart().getWindow());
        assertNotNull(chart().getSelection());
        // reset: the run is replaced, the view and selection start over
        robot.interact(() -> steps.setAll(SyntheticSteps.run(1, 4, 1, 8, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(TimeWindow.fit(chart().getLayout().durationNanos()), chart().getWindow());
        assertNull(chart().getSelection());
    }

    @Test
    void manyChangesInOnePulseRedrawOnce(FxRobot robot) {
        robot.interact(() -> steps.addAll(SyntheticSteps.run(2, 8, 3, 8, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        FlameChartSkin skin = (FlameChartSkin) chart().getSkin();
        int before = skin.redrawCount();
        robot.interact(() -> {
            for (int i = 0; i < 20; i++) {
                chart().zoomAt(100, chart().getWidth(), 1.1);
            }
            chart().select(new org.moescope.app.control.flame.FlameBox(0, 1));
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(before + 1, skin.redrawCount());
    }
}
