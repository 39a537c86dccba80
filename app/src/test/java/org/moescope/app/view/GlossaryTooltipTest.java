package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameChartSkin;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.TimeWindow;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.app.view.routing.LayerBalanceTable;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.app.view.timeline.StageSummary;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Hovering a stage name or a balance metric shows its glossary entry. */
@ExtendWith(ApplicationExtension.class)
class GlossaryTooltipTest {

    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private TimelinePane timeline;
    private LayerBalanceTable balance;
    private DashboardTiles tiles;

    @Start
    void start(Stage stage) {
        timeline = new TimelinePane(steps);
        balance = new LayerBalanceTable();
        balance.setPrefHeight(160);
        tiles = new DashboardTiles();
        timeline.setPrefHeight(520);
        stage.setScene(new Scene(new VBox(timeline, balance, tiles), 1200, 900));
        stage.show();
    }

    private void loadRun(FxRobot robot) {
        List<StepResult> run = SyntheticSteps.run(2, 8, 3, 8, 2);
        robot.interact(() -> {
            steps.addAll(run);
            balance.show(new RoutingRun(run.stream().map(StepResult::routing).toList()));
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    /** Waits (a watchdog, not a timing) until a tooltip showing {@code expected} is up; fails naming what is shown. */
    private static void assertTooltipShows(FxRobot robot, String expected) {
        assertNotNull(expected, "a glossary entry");
        try {
            WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> shownTooltips(robot).contains(expected));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("tooltip '" + expected + "' not shown; showing: " + shownTooltips(robot), e);
        }
    }

    private static List<String> shownTooltips(FxRobot robot) {
        return robot.listWindows().stream().filter(w -> w instanceof Tooltip && w.isShowing())
                .map(w -> ((Tooltip) w).getText()).toList();
    }

    @Test
    void hoveringAStageRowShowsItsGlossaryEntry(FxRobot robot) {
        loadRun(robot);
        // a visible cell of the stage column, whatever stage the sort put there
        @SuppressWarnings("unchecked")
        TableCell<StageSummary.Row, String> cell = robot.lookup(".stage-table .table-cell").match((Node n) ->
                n instanceof TableCell<?, ?> c && c.getTableColumn().getGraphic() instanceof Label l
                        && "Stage".equals(l.getText()) && c.getItem() != null && c.getTableRow().getItem() != null)
                .query();
        StageSummary.Row row = cell.getTableRow().getItem();
        robot.moveTo(cell);
        assertTooltipShows(robot, Glossary.stage(row.block(), cell.getItem()));
    }

    @Test
    void hoveringABalanceColumnHeaderShowsTheMetricsEntry(FxRobot robot) {
        loadRun(robot);
        Label cv = robot.lookup(".layer-balance-table .column-header Label").match((Node n) ->
                "CV".equals(((Label) n).getText())).query();
        robot.moveTo(cv);
        assertTooltipShows(robot, Glossary.metric("cv"));
        Label entropy = robot.lookup(".layer-balance-table .column-header Label").match((Node n) ->
                "Entropy".equals(((Label) n).getText())).query();
        robot.moveTo(entropy);
        assertTooltipShows(robot, Glossary.metric("entropy"));
    }

    @Test
    void hoveringADashboardTileShowsItsMetricsEntry(FxRobot robot) {
        robot.moveTo(tiles.imbalance());
        assertTooltipShows(robot, Glossary.metric("load_imbalance"));
    }

    @Test
    void theFlameChartsHoverBoxExplainsTheStageUnderTheMouse(FxRobot robot) {
        loadRun(robot);
        FlameChart chart = timeline.flameChart();
        FlameLayout layout = chart.getLayout();
        // the first MoE wsum box, zoomed so it is wide
        int index = -1;
        for (int i = 0; i < layout.count(FlameLayout.DEPTH_STAGE) && index < 0; i++) {
            StageSpan s = layout.firstSpan(FlameLayout.DEPTH_STAGE, i);
            if (s.block().equals("moe") && s.stage().equals("wsum")) {
                index = i;
            }
        }
        int box = index;
        long start = layout.start(FlameLayout.DEPTH_STAGE, box);
        long end = layout.end(FlameLayout.DEPTH_STAGE, box);
        robot.interact(() -> chart.windowProperty().set(TimeWindow.around(start, end, layout.durationNanos())));
        Bounds b = chart.localToScreen(chart.getBoundsInLocal());
        double plot = chart.getWidth() - FlameChartSkin.GUTTER;
        double x = b.getMinX() + FlameChartSkin.GUTTER + chart.getWindow().toX((start + end) / 2.0, plot);
        robot.moveTo(x, b.getMinY() + 22 + FlameLayout.DEPTH_STAGE * 21 + 10);
        Label hover = (Label) chart.lookup(".flame-tooltip");
        assertTrue(hover.isVisible(), "the hover box is up");
        String shown = hover.getText().replace('\n', ' ');
        assertTrue(shown.startsWith("wsum"), shown);
        assertTrue(shown.contains(Glossary.firstSentence(Glossary.stage("moe", "wsum"))), shown);
        assertTrue(hover.getBoundsInParent().getMaxY() <= chart.getHeight(),
                "the box stays over the chart: " + hover.getBoundsInParent());
    }
}
