package org.moescope.app.control.flame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import javafx.scene.Scene;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The charts' colours come from CSS: the bundled defaults, and a theme stylesheet can replace them. */
@ExtendWith(ApplicationExtension.class)
class FlameChartCssTest {

    private FlameChart plain;
    private FlameChart themed;
    private RoutingHeatmap themedHeatmap;
    private RoutingHeatmap plainHeatmap;

    @Start
    void start(Stage stage) {
        plain = new FlameChart();
        themed = new FlameChart();
        plainHeatmap = new RoutingHeatmap();
        themedHeatmap = new RoutingHeatmap();
        VBox themedBox = new VBox(themed, themedHeatmap);
        themedBox.getStylesheets().add(FlameChartCssTest.class.getResource("override.css").toExternalForm());
        stage.setScene(new Scene(new VBox(plain, plainHeatmap, themedBox), 600, 700));
        stage.show();
    }

    @Test
    void defaultStylesheetGivesEveryKnownStageItsColour(FxRobot robot) {
        for (int i = 0; i < StagePalette.KEYS.size(); i++) {
            assertEquals(Color.web(StagePalette.DEFAULT_COLORS.get(i)), plain.colorFor(StagePalette.KEYS.get(i)));
        }
        assertEquals(0xff440154, plainHeatmap.colorScale().argb(0));
        assertEquals(0xfffde725, plainHeatmap.colorScale().argb(1));
        assertEquals(0xff21918c, plainHeatmap.colorScale().argb(0.5));
    }

    @Test
    void aThemeStylesheetOverridesStageColoursBackgroundRowHeightAndScale(FxRobot robot) {
        assertEquals(Color.web("#ff0000"), themed.colorFor("router"));
        assertEquals(Color.web("#00ff00"), themed.colorFor("down"));
        assertEquals(plain.colorFor("route"), themed.colorFor("route"));
        assertEquals(Color.web("#101010"), themed.flameBackgroundProperty().get());
        assertEquals(30.0, themed.flameRowHeightProperty().get());
        assertEquals(0xff000000, themedHeatmap.colorScale().argb(0));
        assertEquals(0xffffffff, themedHeatmap.colorScale().argb(1));
        assertEquals(0xff808080, themedHeatmap.colorScale().argb(0.5));
    }

    @Test
    void unknownStagesGetAStableDefaultColour(FxRobot robot) {
        assertEquals(plain.colorFor("new_kernel"), themed.colorFor("new_kernel"));
        assertEquals(Color.web(StagePalette.DEFAULT_COLORS.get(StagePalette.slot("new_kernel", StagePalette.KEYS.size()))),
                plain.colorFor("new_kernel"));
    }
}
