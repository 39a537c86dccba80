package org.moescope.app.view;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.SnapshotParameters;
import javafx.scene.control.Control;
import javafx.scene.image.Image;
import javafx.scene.paint.Color;
import javafx.scene.paint.Paint;
import javafx.scene.transform.Transform;
import org.moescope.app.control.CanvasSkin;
import org.moescope.app.control.flame.FlameChart;
import org.moescope.app.control.flame.FlameLegend;
import org.moescope.app.control.heatmap.ColorScale;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.control.heatmap.RoutingHeatmap;
import org.moescope.app.export.slide.ColorBar;
import org.moescope.app.export.slide.LegendEntry;
import org.moescope.app.export.slide.LegendSource;
import org.moescope.app.export.slide.Slide;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.StepResult;

/**
 * What a slide of a view says: its title, the run it shows (model, prompt, phases, date), its axes and legend, taken
 * from the view itself (the flame chart's stage colours, the heatmap's colour scale and axis names); and the view's
 * picture at a scale. FX thread only.
 */
public final class SlideContent {
    private static final int PROMPT_CHARS = 60;

    private SlideContent() {
    }

    /**
     * The slide of {@code view}: a flame chart or a heatmap with its legend, a {@link LegendSource} with the legend it
     * gives, any other view with its title only.
     */
    public static Slide of(Node view, String title, String subtitle) {
        if (view instanceof FlameChart chart) {
            return forFlameChart(chart, title, subtitle);
        } else if (view instanceof RoutingHeatmap heatmap) {
            return forHeatmap(heatmap, title, subtitle);
        }
        List<LegendEntry> legend = view instanceof LegendSource source ? source.legendEntries() : List.of();
        return new Slide(title, subtitle, List.of(), legend, null, Color.WHITE, Color.BLACK);
    }

    /** The flame chart's slide: the stage colour legend in the legend's own order, rows and time as the axes. */
    public static Slide forFlameChart(FlameChart chart, String title, String subtitle) {
        List<LegendEntry> legend = new ArrayList<>();
        for (String key : FlameLegend.keys(chart.getLayout())) {
            legend.add(new LegendEntry(color(chart.colorFor(key), Color.GRAY), key));
        }
        List<String> axes = List.of("x: time from the start of the run", "rows: step \u203a layer \u203a block \u203a stage");
        return new Slide(title, subtitle, axes, legend, null, color(chart.flameBackgroundProperty().get(), Color.WHITE),
                color(chart.flameTextFillProperty().get(), Color.BLACK));
    }

    /** A heatmap's slide: its colour scale from 0 to the largest value, and its axis names. */
    public static Slide forHeatmap(RoutingHeatmap heatmap, String title, String subtitle) {
        HeatmapData d = heatmap.getData();
        ColorScale scale = heatmap.colorScale();
        List<Color> colors = new ArrayList<>();
        for (int argb : scale.stops()) {
            colors.add(Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff));
        }
        ColorBar bar = d.isEmpty() ? null : new ColorBar(colors, "0", format(d.max()), d.valueName());
        List<String> axes = d.isEmpty() ? List.of()
                : List.of("rows: " + d.rowAxis(), "columns: " + d.colAxis(), "colour: " + d.valueName());
        return new Slide(title, subtitle, axes, List.of(), bar, color(heatmap.heatmapBackgroundProperty().get(), Color.WHITE),
                color(heatmap.heatmapTextFillProperty().get(), Color.BLACK));
    }

    /** "model · prompt “…” · prefill of 7 tokens + 40 decode steps · 2026-12-03", leaving out what is unknown. */
    public static String subtitle(String model, String prompt, List<StepResult> steps, LocalDate date) {
        List<String> parts = new ArrayList<>();
        if (model != null && !model.isBlank()) {
            parts.add(model);
        }
        if (prompt != null && !prompt.isBlank()) {
            String p = prompt.strip().replaceAll("\\s+", " ");
            parts.add("prompt \u201c" + (p.length() > PROMPT_CHARS ? p.substring(0, PROMPT_CHARS - 1) + "\u2026" : p) + "\u201d");
        }
        String phases = phases(steps);
        if (!phases.isEmpty()) {
            parts.add(phases);
        }
        parts.add(date.toString());
        return String.join("  \u00b7  ", parts);
    }

    /** "prefill of 7 tokens + 40 decode steps", "3 batched decode steps", "" for none. */
    static String phases(List<StepResult> steps) {
        List<String> parts = new ArrayList<>();
        int decode = 0;
        int batched = 0;
        for (StepResult s : steps) {
            if (s.phase() == Phase.PREFILL) {
                parts.add("prefill of " + s.tokensProcessed() + (s.tokensProcessed() == 1 ? " token" : " tokens"));
            } else if (s.phase() == Phase.BATCHED_DECODE) {
                batched++;
            } else {
                decode++;
            }
        }
        if (decode > 0) {
            parts.add(decode + (decode == 1 ? " decode step" : " decode steps"));
        }
        if (batched > 0) {
            parts.add(batched + (batched == 1 ? " batched decode step" : " batched decode steps"));
        }
        return String.join(" + ", parts);
    }

    /**
     * The view drawn at {@code scale}: a canvas chart redrawn at that resolution, any other node rendered with a
     * scale (its text and shapes stay sharp).
     */
    public static Image picture(Node view, double scale) {
        if (view instanceof Control c && c.getSkin() instanceof CanvasSkin<?> skin) {
            return skin.render(scale);
        }
        SnapshotParameters params = new SnapshotParameters();
        params.setTransform(Transform.scale(scale, scale));
        return view.snapshot(params, null);
    }

    private static Color color(Paint paint, Color fallback) {
        return paint instanceof Color c ? c : fallback;
    }

    private static String format(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format(java.util.Locale.ROOT, "%.0f", v)
                : String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
