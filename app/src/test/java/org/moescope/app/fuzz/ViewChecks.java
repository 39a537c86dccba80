package org.moescope.app.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.routing.RoutingRun;
import org.moescope.app.view.timeline.TimelineBuilder;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.session.StepResult;

/**
 * What the window must show once the app is idle, compared with the session's state (the view model): the step
 * table, the buttons, the model line and title, the text, the dashboard, the timeline, the routing view, the
 * A/B table and the error bar. Call on the FX thread; returns one sentence per disagreement.
 */
final class ViewChecks {
    /** ErrorMessages' form for an exception it did not expect, i.e. a bug shown to the user as a message. */
    private static final Pattern UNEXPECTED = Pattern.compile("failed \\(\\w+(Exception|Error)\\)");

    private ViewChecks() {
    }

    static List<String> mismatches(MainWindow window, Stage stage) {
        SessionViewModel vm = window.viewModel();
        List<String> out = new ArrayList<>();
        List<StepResult> steps = List.copyOf(vm.steps());
        boolean ready = vm.readyProperty().get();
        boolean busy = vm.busyProperty().get();

        TableView<?> stepTable = (TableView<?>) window.lookup("#step-table");
        expect(out, "step table rows", steps.size(), stepTable.getItems().size());
        Label stepCount = (Label) window.lookupAll(".status-bar .label").stream()
                .filter(n -> n instanceof Label l && l.getText() != null && l.getText().endsWith(" steps"))
                .findFirst().orElse(null);
        expect(out, "status bar step count", steps.size() + " steps", stepCount == null ? null : stepCount.getText());

        // a number field holding text that is not a number also keeps the run buttons disabled, where it is marked
        Node problem = window.lookup("#input-problem-label");
        boolean fieldProblem = problem != null && problem.isVisible();
        for (String id : List.of("#prefill-button", "#step-button", "#generate-button")) {
            expect(out, id + " disabled (ready = " + ready + ", field problem = " + fieldProblem + ")",
                    !ready || fieldProblem, button(window, id).isDisabled());
        }
        expect(out, "#reset-button disabled (ready = " + ready + ")", !ready, button(window, "#reset-button").isDisabled());
        expect(out, "#stop-button disabled (busy = " + busy + ")", !busy, button(window, "#stop-button").isDisabled());
        expect(out, "#compare-button disabled (ready = " + ready + ")", !ready, button(window, "#compare-button").isDisabled());
        expect(out, "#load-button text", vm.loadingProperty().get() ? "Cancel" : "Load", button(window, "#load-button").getText());
        expect(out, "progress bar visible", busy, ((ProgressBar) window.lookup("#status-progress")).isVisible());

        String name = vm.modelNameProperty().get();
        Label modelLine = (Label) window.lookup(".model-info");
        if (vm.configProperty().get() != null) {
            if (name.isEmpty() || !modelLine.getText().contains(name)) {
                out.add("the model line '" + modelLine.getText() + "' does not name the loaded model '" + name + "'");
            }
        } else if (!name.isEmpty()) {
            out.add("no model config, yet the model name is '" + name + "'");
        }
        expect(out, "window title", name.isEmpty() ? "MoEScope" : "MoEScope \u2014 " + name, stage.getTitle());

        expect(out, "output text", vm.textProperty().get(), ((TextArea) window.lookup("#output-text")).getText());

        RunMetrics metrics = RunMetrics.of(steps);
        expect(out, "run metrics", metrics, vm.metricsProperty().get());
        var tiles = window.output().tiles();
        List<Double> latencies = metrics.decodeLatencyMillis();
        List<Double> charted = tiles.latency().getChartData().stream().map(d -> d.getValue()).toList();
        // the chart keeps the newest points only
        expect(out, "decode latency chart", latencies.subList(latencies.size() - Math.min(latencies.size(),
                Math.max(charted.size(), 1)), latencies.size()), charted);
        expect(out, "decode latency tile", latencies.isEmpty() ? 0.0 : latencies.get(latencies.size() - 1),
                tiles.latency().getValue());
        expect(out, "tokens/s tile", metrics.tokensPerSecond(), tiles.tokensPerSecond().getValue());

        var spans = TimelineBuilder.spansOf(steps);
        var chart = window.timeline().flameChart();
        expect(out, "flame chart spans", spans.size(), chart.getLayout().spans().size());
        if (chart.getSelection() == null && chart.selectedBoxProperty().get() == null) {
            expect(out, "stage table spans (whole run)", (long) spans.size(), window.timeline().stageTable().summary().spans());
        }

        List<org.moescope.engine.profile.StepRouting> routings = new ArrayList<>();
        steps.forEach(s -> routings.add(s.routing()));
        int rows = new RoutingRun(routings).rows().size();
        RoutingRun shown = window.routing().run();
        expect(out, "routing rows", rows, shown.rows().size());
        if (!shown.isEmpty()) {
            expect(out, "token heatmap rows", rows, window.routing().tokenHeatmap().getData().rows());
            expect(out, "routed text tokens", rows, window.routing().routedText().tokenLabels().size());
        }

        var comparison = vm.comparisonProperty().get();
        expect(out, "A/B table rows", comparison == null ? List.of() : comparison.comparison().rows(),
                List.copyOf(window.compare().table().getItems()));

        String error = vm.lastErrorProperty().get();
        if (error != null) {
            if (UNEXPECTED.matcher(error).find()) {
                out.add("an unexpected exception reached the user as a message: " + error);
            }
            if (!window.notifications().isShowing() || !error.equals(window.notifications().getText())) {
                out.add("the error '" + error + "' is not in the notification bar (showing "
                        + window.notifications().isShowing() + ": '" + window.notifications().getText() + "')");
            }
        }
        return out;
    }

    private static Button button(Node root, String id) {
        return (Button) root.lookup(id);
    }

    private static void expect(List<String> out, String what, Object expected, Object shown) {
        if (!Objects.equals(expected, shown)) {
            out.add(what + ": expected " + abbreviate(expected) + ", shown " + abbreviate(shown));
        }
    }

    private static String abbreviate(Object value) {
        String text = String.valueOf(value);
        return text.length() <= 200 ? "'" + text + "'" : "'" + text.substring(0, 200) + "…' (" + text.length() + " chars)";
    }
}
