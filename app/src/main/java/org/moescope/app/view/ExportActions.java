package org.moescope.app.view;

import java.util.function.Supplier;
import javafx.scene.Node;
import org.moescope.app.viewmodel.SessionViewModel;

/** File ▸ Export: trace JSON, routing CSV, chart PNG, through the exporters of the export package. */
final class ExportActions {
    private final SessionViewModel vm;
    private final Supplier<Node> chart;

    ExportActions(SessionViewModel vm, Supplier<Node> chart) {
        this.vm = vm;
        this.chart = chart;
    }

    void exportTrace() {
    }

    void exportRouting() {
    }

    void saveChartPng() {
    }
}
