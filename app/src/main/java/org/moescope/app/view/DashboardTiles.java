package org.moescope.app.view;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import eu.hansolo.tilesfx.chart.ChartData;
import java.util.List;
import javafx.application.Platform;
import javafx.geometry.Insets;
import javafx.scene.control.Label;
import javafx.scene.layout.FlowPane;
import org.moescope.app.glossary.Glossary;
import org.moescope.app.glossary.GlossaryTooltips;
import org.moescope.app.metrics.RunMetrics;
import org.moescope.engine.model.ModelConfig;

/**
 * The dashboard (TilesFX): decode tokens/s, prefill time, a sparkline of per-token decode latency, the MoE share
 * of device time and a load-imbalance gauge (max/mean tokens per expert; 1 is perfect balance).
 */
public final class DashboardTiles extends FlowPane {
    private static final double SIZE = 165;

    private final Tile tokensPerSecond;
    private final Tile prefill;
    private final Tile latency;
    private final Tile moeShare;
    private final Tile imbalance;
    private static final int LATENCY_POINTS = 64;
    /** The points of the latest {@link #show}; drawn once a clearing of the chart is done. */
    private List<ChartData> latencyPoints = List.of();
    private int clearsPending;

    public DashboardTiles() {
        super(10, 10);
        getStyleClass().add("dashboard");
        setPadding(new Insets(10));
        tokensPerSecond = TileBuilder.create().skinType(Tile.SkinType.NUMBER).prefSize(SIZE, SIZE)
                .title("Decode speed").unit("tok/s").decimals(1).description("new tokens / decode wall time").build();
        prefill = TileBuilder.create().skinType(Tile.SkinType.NUMBER).prefSize(SIZE, SIZE)
                .title("Prefill").unit("ms").decimals(1).description("wall time of step 0").build();
        latency = TileBuilder.create().skinType(Tile.SkinType.SMOOTH_AREA_CHART).prefSize(SIZE * 2 + 10, SIZE)
                .title("Decode latency per token (ms)").unit("ms").decimals(1).smoothing(false).dataPointsVisible(true)
                .build();
        // the skin prints the value twice (as a percentage and as the value); on a 0-100 range one is enough
        moeShare = TileBuilder.create().skinType(Tile.SkinType.CIRCULAR_PROGRESS).prefSize(SIZE, SIZE)
                .title("MoE share").unit("").valueVisible(false).decimals(0).minValue(0).maxValue(100)
                .text("of device time").build();
        imbalance = TileBuilder.create().skinType(Tile.SkinType.GAUGE).prefSize(SIZE, SIZE)
                .title("Load imbalance").unit("max/mean").decimals(2).minValue(1).maxValue(4)
                .threshold(2).thresholdVisible(true).build();
        for (Tile t : List.of(tokensPerSecond, prefill, latency, moeShare, imbalance)) {
            // an animation still running when the next value comes (Reset right after a run) would end on the old value
            t.setAnimated(false);
            t.getStyleClass().add("dashboard-tile");
        }
        tokensPerSecond.setTooltip(GlossaryTooltips.of(Glossary.metric("decode_speed")));
        prefill.setTooltip(GlossaryTooltips.of(Glossary.metric("prefill_time")));
        latency.setTooltip(GlossaryTooltips.of(Glossary.metric("decode_latency")));
        moeShare.setTooltip(GlossaryTooltips.of(Glossary.metric("moe_share")));
        imbalance.setTooltip(GlossaryTooltips.of(Glossary.metric("load_imbalance")));
        tokensPerSecond.setId("tile-tokens-per-second");
        prefill.setId("tile-prefill");
        latency.setId("tile-latency");
        moeShare.setId("tile-moe-share");
        imbalance.setId("tile-imbalance");
        getChildren().addAll(tokensPerSecond, prefill, latency, moeShare, imbalance);
        // the tiles size their text by their own size: larger window text (presentation mode) makes them larger
        Label fontProbe = new Label();
        fontProbe.setManaged(false);
        fontProbe.setVisible(false);
        fontProbe.fontProperty().addListener((o, was, font) -> resize(font.getSize()));
        getChildren().add(fontProbe);
    }

    /**
     * Square tiles grow faster than the text (to the power 1.6), since their smallest text is about 5.5 % of their
     * size: at 20 px text (presentation) it is 18 px. The latency tile's width grows with the text only, so that the
     * row still fits 1920 px.
     */
    private void resize(double fontSize) {
        double ratio = Math.max(1, fontSize / 13);
        double side = SIZE * Math.pow(ratio, 1.6);
        for (Tile t : List.of(tokensPerSecond, prefill, moeShare, imbalance)) {
            t.setPrefSize(side, side);
        }
        latency.setPrefSize((SIZE * 2 + 10) * ratio, side);
    }

    /** The gauge's range: from perfect balance to every token on k of E experts (max/mean = E/k). */
    public void setModel(ModelConfig config) {
        if (config != null && config.numExperts() > 0) {
            double allOnTopK = config.numExperts() * 1.0 / config.numExpertsPerTok();
            imbalance.setMaxValue(Math.max(2, allOnTopK));
        }
    }

    private void showLatency() {
        if (!latencyPoints.isEmpty()) {
            latency.setChartData(latencyPoints);
            latency.setValue(latencyPoints.get(latencyPoints.size() - 1).getValue());
        }
    }

    /** FX thread. */
    public void show(RunMetrics m) {
        tokensPerSecond.setValue(m.tokensPerSecond());
        prefill.setValue(Double.isNaN(m.prefillMillis()) ? 0 : m.prefillMillis());
        List<Double> ms = m.decodeLatencyMillis();
        List<Integer> stepNumbers = m.decodeLatencySteps();
        List<ChartData> points = new java.util.ArrayList<>();
        // the last LATENCY_POINTS decode steps, each labelled with its step number (the run's older steps may be gone)
        for (int i = Math.max(0, ms.size() - LATENCY_POINTS); i < ms.size(); i++) {
            points.add(new ChartData(Integer.toString(stepNumbers.get(i)), ms.get(i)));
        }
        if (points.size() == 1) {
            // one decode step: a flat line at its latency (the skin draws two points or more)
            points.add(new ChartData(points.get(0).getName(), points.get(0).getValue()));
        }
        latencyPoints = points;
        if (points.isEmpty()) {
            // the skin keeps its last line and value for fewer than two points; clearData empties both, in a
            // runLater of its own, so points arriving meanwhile wait for it
            latency.clearChartData();
            latency.clearData();
            latency.setValue(0);
            clearsPending++;
            Platform.runLater(() -> {
                // queued after the skin's own runLater of this clear
                if (--clearsPending == 0) {
                    showLatency();
                }
            });
        } else if (clearsPending == 0) {
            showLatency();
        }
        moeShare.setValue(Double.isNaN(m.moeShare()) ? 0 : m.moeShare() * 100);
        imbalance.setValue(Double.isNaN(m.loadImbalance()) ? imbalance.getMinValue() : m.loadImbalance());
    }

    public Tile tokensPerSecond() {
        return tokensPerSecond;
    }

    public Tile moeShare() {
        return moeShare;
    }

    public Tile latency() {
        return latency;
    }

    public Tile imbalance() {
        return imbalance;
    }
}
