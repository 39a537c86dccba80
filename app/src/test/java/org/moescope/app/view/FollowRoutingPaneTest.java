package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.Scene;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.heatmap.RoutingHeatmapSkin;
import org.moescope.app.testdata.SyntheticSteps;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Follow mode on a long synthetic run of a 128-expert model: the map scrolls, the legends key the colours. */
@ExtendWith(ApplicationExtension.class)
class FollowRoutingPaneTest {

    private final ObservableList<StepResult> steps = FXCollections.observableArrayList();
    private RoutingPane pane;

    @Start
    void start(Stage stage) {
        pane = new RoutingPane(steps, SyntheticSteps::tokenText);
        stage.setScene(new Scene(pane, 1260, 780));
        stage.show();
    }

    @Test
    void theMapKeepsTheNewestRowInViewAndTheLegendCountsTheTokensExperts(FxRobot robot) {
        List<StepResult> run = SyntheticSteps.run(4, 80, 10, 128, 8);
        robot.interact(() -> steps.addAll(run.subList(0, 1)));
        robot.interact(() -> pane.selectedRowProperty().set(3));
        WaitForAsyncUtils.waitForFxEvents();
        robot.interact(() -> pane.followProperty().set(true));
        robot.interact(() -> steps.addAll(run.subList(1, 2)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(80, pane.selectedRowProperty().get());
        robot.interact(() -> steps.addAll(run.subList(2, run.size())));
        WaitForAsyncUtils.waitForFxEvents();
        int last = 80 + 10 - 1;
        assertEquals(last, pane.selectedRowProperty().get(), "the newest token is selected");

        assertTrue(pane.expertGrid().getHeight() > 100, "the grid has room beside the map: " + pane.expertGrid().getHeight());
        RoutingHeatmapSkin skin = (RoutingHeatmapSkin) pane.tokenHeatmap().getSkin();
        double height = pane.tokenHeatmap().getHeight();
        double newest = skin.cellCentre(last, 0)[1];
        assertTrue(newest > 0 && newest < height, "the newest row is drawn: " + newest + " in " + height);
        assertTrue(skin.cellCentre(0, 0)[1] < 0, "the first rows scrolled out of the map");
        assertEquals(RoutingPane.FOLLOW_ROW_HEIGHT, skin.cellCentre(last, 0)[1] - skin.cellCentre(last - 1, 0)[1], 1e-9);

        // the grid's legend: the newest token's experts, each with the number of layers that chose it
        Map<Integer, Long> expected = new TreeMap<>();
        for (LayerRouting l : run.get(run.size() - 1).routing().layers()) {
            for (int j = 0; j < l.k(); j++) {
                expected.merge(l.ids()[j], 1L, Long::sum);
            }
        }
        assertEquals(new java.util.TreeSet<>(expected.keySet()), new java.util.TreeSet<>(pane.gridLegend().experts()));
        long busiest = expected.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        assertEquals(busiest, expected.get(pane.gridLegend().experts().get(0)), "busiest first");

        // 128 experts share 8 colours: every token carries its expert's number
        var label = pane.routedText().tokenLabels().get(0);
        assertNotNull(label.getGraphic());
        assertEquals(Integer.toString(pane.run().top1(pane.routedText().rowOf(label), pane.layerIndexProperty().get())),
                ((Text) label.getGraphic()).getText());

        robot.interact(() -> pane.followProperty().set(false));
        WaitForAsyncUtils.waitForFxEvents();
        double first = skin.cellCentre(0, 0)[1];
        assertTrue(first > 0 && first < height, "off: every row shares the map again");
    }
}
