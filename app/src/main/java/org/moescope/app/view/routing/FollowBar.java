package org.moescope.app.view.routing;

import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.geometry.Pos;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;
import javafx.util.StringConverter;

/**
 * The routing view's demo controls: the Follow toggle (the views follow each new token) and the pace of Generate in
 * decode steps per second (0 = as fast as the engine runs), with a reminder that Step (F7) runs one step.
 */
public class FollowBar extends HBox {
    /** The paces offered, in steps per second; 0 is as fast as possible. */
    public static final List<Double> PACES = List.of(0.0, 20.0, 5.0, 1.0);

    private final ToggleButton follow = new ToggleButton("Follow");
    private final ComboBox<Double> pace = new ComboBox<>();

    public FollowBar() {
        super(8);
        setAlignment(Pos.CENTER_LEFT);
        follow.setId("follow-toggle");
        follow.setTooltip(new Tooltip("Follow the run: the token \u00d7 expert map grows a row per token with the newest "
                + "one selected,\nthe expert grid lights the experts it was routed to at every layer (F8)"));
        pace.setId("pace-chooser");
        pace.getItems().setAll(PACES);
        pace.setValue(0.0);
        pace.setConverter(new StringConverter<>() {
            @Override
            public String toString(Double value) {
                return label(value == null ? 0 : value);
            }

            @Override
            public Double fromString(String text) {
                return PACES.stream().filter(p -> label(p).equals(text)).findFirst().orElse(0.0);
            }
        });
        pace.setTooltip(new Tooltip("How fast Generate runs: a pause between decode steps, outside every timed span, "
                + "so the profile is unchanged.\nStop ends a pause at once; Step (F7) runs a single step."));
        Label paceLabel = new Label("pace");
        Label stepHint = new Label("F7: one step");
        stepHint.setStyle("-fx-opacity: 0.75;");
        getChildren().addAll(follow, paceLabel, pace, stepHint);
        for (var n : getChildren()) {
            ((Region) n).setMinWidth(Region.USE_PREF_SIZE);
        }
    }

    /** "max", "20 tokens/s", "1 token/s". */
    static String label(double stepsPerSecond) {
        if (stepsPerSecond <= 0) {
            return "max speed";
        }
        String n = stepsPerSecond == Math.rint(stepsPerSecond) ? Long.toString((long) stepsPerSecond)
                : String.format(Locale.ROOT, "%.1f", stepsPerSecond);
        return n + (stepsPerSecond == 1 ? " token/s" : " tokens/s");
    }

    public BooleanProperty followProperty() {
        return follow.selectedProperty();
    }

    /** Decode steps per second of Generate; 0 = as fast as possible. */
    public ObjectProperty<Double> paceProperty() {
        return pace.valueProperty();
    }
}
