package org.moescope.app.view;

import javafx.scene.Node;
import javafx.scene.control.Label;
import org.moescope.app.viewmodel.SessionViewModel;

/** The app-views panes placed in the window's tabs. */
final class ViewSlots {
    private ViewSlots() {
    }

    static Node timeline(SessionViewModel vm) {
        return new Label("Timeline: arrives with the flame chart (app-views)");
    }

    static Node routing(SessionViewModel vm) {
        return new Label("Routing: arrives with the heatmaps (app-views)");
    }
}
