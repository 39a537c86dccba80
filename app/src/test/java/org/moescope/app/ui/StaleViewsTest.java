package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.moescope.app.ui.AppFixture.awaitIdle;
import static org.moescope.app.ui.AppFixture.fx;
import static org.moescope.app.ui.AppFixture.fxRun;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.stage.Stage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.app.view.DashboardTiles;
import org.moescope.app.view.MainWindow;
import org.moescope.app.view.RoutingPane;
import org.moescope.app.viewmodel.SessionViewModel;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.StepResult;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Every tile, chart and table shows what the session holds: the run after a run, nothing after Reset, nothing of
 * the previous model's run after another model is loaded, and the session's state after a failed or a cancelled
 * load. Read from what is drawn (a tile's rendered value, a chart's paths), not from the view model.
 */
@ExtendWith(ApplicationExtension.class)
class StaleViewsTest {
    private MainWindow window;
    private SessionViewModel vm;

    @Start
    void start(Stage stage) {
        window = AppFixture.open(stage, AppFixture.smallModel());
        vm = window.viewModel();
    }

    @BeforeEach
    void modelLoaded() throws Exception {
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()), "the model loads without error");
    }

    @Test
    void resetEmptiesEveryView() throws Exception {
        compareThenGenerate();
        assertViewsShowTheSession("after Generate");

        fxRun(vm::reset);
        awaitIdle(vm);
        assertTrue(fx(() -> vm.steps().isEmpty()));
        assertTrue(fx(() -> vm.comparisonProperty().get() == null), "Reset forgets the comparison too");
        assertViewsShowTheSession("after Reset");
    }

    @Test
    void anotherModelShowsNothingOfThePreviousModelsRun() throws Exception {
        compareThenGenerate();
        int sampleExperts = fx(() -> vm.configProperty().get().numExperts());

        fxRun(() -> {
            vm.modelProperty().set("qwen3-tiny");
            vm.loadModel();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertTrue(fx(() -> vm.steps().isEmpty()));
        assertTrue(fx(() -> vm.comparisonProperty().get() == null), "the comparison measured the previous model");
        assertViewsShowTheSession("after loading qwen3-tiny");

        // the new model's run, drawn with the new model's sizes
        fxRun(() -> {
            vm.maxNewTokensProperty().set(2);
            vm.generate();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertViewsShowTheSession("after a run on qwen3-tiny");
        int experts = fx(() -> vm.configProperty().get().numExperts());
        assertEquals(experts, fx(() -> window.routing().tokenHeatmap().getData().cols()),
                "the heatmap has the new model's " + experts + " experts (the sample has " + sampleExperts + ")");
    }

    @Test
    void failedAndCancelledLoadsLeaveTheViewsTrueToTheSession() throws Exception {
        compareThenGenerate();

        fxRun(() -> {
            vm.modelProperty().set("/nonexistent/moescope-model");
            vm.loadModel();
        });
        awaitIdle(vm);
        assertNotNull(fx(() -> vm.lastErrorProperty().get()), "the load fails");
        assertViewsShowTheSession("after a failed load");

        fxRun(() -> {
            vm.modelProperty().set(AppFixture.smallModel());
            vm.loadModel();
        });
        awaitIdle(vm);
        compareThenGenerate();
        // the load is cancelled before it starts: the engine thread is held meanwhile
        CountDownLatch held = AppFixture.holdEngine();
        fxRun(() -> {
            vm.modelProperty().set("qwen3-tiny");
            vm.loadModel();
            vm.cancelLoad();
        });
        held.countDown();
        awaitIdle(vm);
        assertViewsShowTheSession("after a cancelled load");
    }

    /** An A/B compare (which ends the run), then a short run: every view has something to show. */
    private void compareThenGenerate() throws Exception {
        fxRun(() -> {
            vm.maxNewTokensProperty().set(3);
            window.compare().set(MoeOptions.DEFAULT, MoeOptions.DEFAULT.withFusedGateUpSilu(false), 1, false);
            window.compare().run();
        });
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        fxRun(vm::generate);
        awaitIdle(vm);
        assertNull(fx(() -> vm.lastErrorProperty().get()));
        assertFalse(fx(() -> vm.steps().isEmpty()));
        assertNotNull(fx(() -> vm.comparisonProperty().get()));
    }

    /** Every view shows the session's run and comparison, and nothing when it holds none. */
    private void assertViewsShowTheSession(String when) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(AppFixture.ENGINE_TIMEOUT_SECONDS, TimeUnit.SECONDS, () -> fx(() -> window.timeline().isCurrent()));
        WaitForAsyncUtils.waitForFxEvents();
        List<String> wrong = fx(() -> disagreements());
        assertTrue(wrong.isEmpty(), when + ": views that show something the session does not hold:\n  "
                + String.join("\n  ", wrong));
    }

    private List<String> disagreements() {
        List<String> wrong = new ArrayList<>();
        List<StepResult> steps = List.copyOf(vm.steps());
        RunMetrics m = vm.metricsProperty().get();
        DashboardTiles tiles = window.output().tiles();

        // tiles, as drawn
        expectDecimal(wrong, "Decode speed tile", ShownNumbers.decimals(tiles.tokensPerSecond()), m.tokensPerSecond(), 1);
        expectDecimal(wrong, "Prefill tile", ShownNumbers.decimals(window.lookup("#tile-prefill")),
                Double.isNaN(m.prefillMillis()) ? 0 : m.prefillMillis(), 1);
        List<Double> latencies = m.decodeLatencyMillis();
        expectDecimal(wrong, "Decode latency tile", ShownNumbers.decimals(tiles.latency()),
                latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1), 1);
        if (ShownNumbers.drawsPath(tiles.latency()) == latencies.isEmpty()) {
            wrong.add("Decode latency tile draws " + (latencies.isEmpty() ? "a line for no decode step" : "no line"));
        }
        String share = String.format(Locale.ROOT, "%.0f", Double.isNaN(m.moeShare()) ? 0 : m.moeShare() * 100);
        List<String> shareShown = ShownNumbers.numbers(tiles.moeShare());
        if (!shareShown.equals(List.of(share))) {
            wrong.add("MoE share tile shows " + shareShown + ", the session " + share);
        }
        expectDecimal(wrong, "Load imbalance tile", ShownNumbers.decimals(tiles.imbalance()),
                Double.isNaN(m.loadImbalance()) ? 1 : m.loadImbalance(), 2);

        // text and tables of the Output tab
        String text = ((TextArea) window.lookup("#output-text")).getText();
        if (!text.equals(vm.textProperty().get())) {
            wrong.add("generated text shows '" + text + "'");
        }
        int stepRows = ((TableView<?>) window.lookup("#step-table")).getItems().size();
        if (stepRows != steps.size()) {
            wrong.add("step table has " + stepRows + " rows for " + steps.size() + " steps");
        }

        // timeline
        int spans = steps.stream().mapToInt(s -> s.spans().size()).sum();
        int charted = window.timeline().flameChart().getLayout().spans().size();
        if (charted != spans) {
            wrong.add("flame chart draws " + charted + " spans of " + spans);
        }
        if (spans == 0 && !window.timeline().stageTable().tableView().getItems().isEmpty()) {
            wrong.add("stage table has rows without spans: " + window.timeline().stageTable().tableView().getItems());
        }
        if (spans == 0 && !window.timeline().legend().keys().isEmpty()) {
            wrong.add("flame legend lists " + window.timeline().legend().keys());
        }

        // routing
        RoutingPane routing = window.routing();
        int routed = steps.stream().filter(s -> s.routing() != null).mapToInt(s -> s.routing().tokenIds().length).sum();
        if (routing.run().rows().size() != routed) {
            wrong.add("routing view holds " + routing.run().rows().size() + " token rows of " + routed);
        }
        if (routed == 0) {
            if (!routing.tokenHeatmap().getData().isEmpty()) {
                wrong.add("token heatmap is drawn without routing");
            }
            if (!routing.loadHeatmap().getData().isEmpty()) {
                wrong.add("layer load heatmap is drawn without routing");
            }
            if (!routing.routedText().tokenLabels().isEmpty()) {
                wrong.add("coloured text shows " + routing.routedText().tokenLabels().size() + " tokens");
            }
            if (!routing.inspector().stageRows().isEmpty() || !routing.inspector().topKRows().isEmpty()) {
                wrong.add("token inspector shows " + routing.inspector().headerText());
            }
            if (!routing.balanceTable().getItems().isEmpty()) {
                wrong.add("balance table has " + routing.balanceTable().getItems().size() + " rows");
            }
            if (!routing.balanceText().equals(RoutingPane.NO_ROUTING)) {
                wrong.add("balance line says '" + routing.balanceText() + "'");
            }
        }

        // A/B compare
        var comparison = vm.comparisonProperty().get();
        int compareRows = window.compare().table().getItems().size();
        int expectedRows = comparison == null ? 0 : comparison.comparison().rows().size();
        if (compareRows != expectedRows) {
            wrong.add("A/B table has " + compareRows + " rows, the session's comparison " + expectedRows);
        }
        if (comparison == null && window.compare().totals().getText().contains("ms")) {
            wrong.add("A/B totals say '" + window.compare().totals().getText() + "' without a comparison");
        }
        return wrong;
    }

    private static void expectDecimal(List<String> wrong, String what, List<Double> shown, double expected, int decimals) {
        double rounded = Double.parseDouble(String.format(Locale.ROOT, "%." + decimals + "f", expected));
        if (!shown.contains(rounded)) {
            wrong.add(what + " shows " + shown + ", the session " + rounded);
        }
    }
}
