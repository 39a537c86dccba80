package org.moescope.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.controlsfx.control.ToggleSwitch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/** The headless toolkit (Monocle, software renderer) starts a stage with the libraries the app uses and takes input. */
@ExtendWith(ApplicationExtension.class)
class HeadlessToolkitTest {
    private Button button;
    private ToggleSwitch toggle;
    private int clicks;

    @Start
    void start(Stage stage) {
        button = new Button("count");
        toggle = new ToggleSwitch("fused");
        Tile tile = TileBuilder.create().skinType(Tile.SkinType.NUMBER).title("tokens/s").value(12.5).build();
        button.setOnAction(e -> clicks++);
        stage.setScene(new Scene(new VBox(button, toggle, tile), 400, 400));
        stage.show();
    }

    @Test
    void clicksReachControls(FxRobot robot) {
        robot.clickOn(button);
        robot.clickOn(toggle.lookup(".thumb-area"));
        assertEquals(1, clicks);
        assertTrue(toggle.isSelected());
    }
}
