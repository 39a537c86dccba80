package org.moescope.app.export.slide;

import java.io.IOException;
import java.io.Writer;
import java.util.function.Function;
import javafx.scene.paint.Color;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.FlameText;
import org.moescope.app.control.flame.TimeWindow;

/**
 * Writes the flame chart's visible window as SVG: the slide's title band, the time axis, one rectangle per visible
 * box of each row (every span of the stage row, none merged, each with its description as a tooltip), labels where
 * they fit, the axes line and the legend. Text stays text, so the slide is sharp at any size and its words can be
 * searched and edited.
 */
public final class FlameSvgWriter {
    private static final String[] ROW_NAMES = {"step", "layer", "block", "stage"};
    private static final double FONT = 12;
    private static final double GUTTER = 56;
    private static final double AXIS = 22;
    private static final double ROW = 20;
    private static final double GAP = 1;

    private FlameSvgWriter() {
    }

    /**
     * @param width  the chart's width on screen, px (the SVG's user units); the file says {@code width x scale}
     * @param colors the colour of each stage or row key (the chart's palette)
     */
    public static void write(Slide slide, SlideOptions options, FlameLayout layout, TimeWindow window, double width,
                             Function<String, Color> colors, Writer out) throws IOException {
        SvgBuilder svg = new SvgBuilder();
        double y = options.title() ? svg.titleBand(slide) : 0;
        y = chart(svg, layout, window, width, y, colors, slide.text());
        if (options.legend()) {
            y = svg.legendBand(slide, width, y);
        }
        svg.writeTo(out, width, Math.ceil(y + SlideComposer.PADDING), options.scaleFor(width), slide.background());
    }

    /** The axis and the four rows, from {@code top}; returns the y below them. */
    private static double chart(SvgBuilder svg, FlameLayout layout, TimeWindow window, double width, double top,
                                Function<String, Color> colors, Color ink) {
        double plot = Math.max(1, width - GUTTER);
        double bottom = top + AXIS + FlameLayout.DEPTHS * (ROW + GAP);
        double step = FlameText.tickStep(window.spanNanos() / plot * 110);
        svg.raw("<g class=\"axis\">\n");
        for (double t = Math.ceil(window.startNanos() / step) * step; t <= window.endNanos(); t += step) {
            double x = GUTTER + window.toX(t, plot);
            svg.line(x, top + AXIS - 6, x, bottom, ink, 0.25);
            svg.text(x + 3, top + AXIS / 2 + 3, FONT, FlameText.tick(t, step), ink);
        }
        svg.line(GUTTER, top + AXIS, width, top + AXIS, ink, 0.4);
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            svg.text(4, top + AXIS + d * (ROW + GAP) + ROW / 2 + 4, FONT, ROW_NAMES[d], ink);
        }
        svg.raw("</g>\n");
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            int depth = d;
            double y = top + AXIS + d * (ROW + GAP);
            svg.raw("<g class=\"row " + ROW_NAMES[d] + "\">\n");
            // minimum width 0: every box gets its own rectangle, none merged
            layout.visit(d, window.startNanos(), window.endNanos(), 0, (index, start, end, merged) -> {
                double x0 = GUTTER + Math.max(0, window.toX(start, plot));
                double x1 = GUTTER + Math.min(plot, window.toX(end, plot));
                double w = Math.max(0.5, x1 - x0);
                Color fill = colors.apply(layout.colorKey(depth, index));
                String label = layout.label(depth, index);
                svg.rect(ROW_NAMES[depth], x0, y, w, ROW, fill, label + " \u2014 " + FlameText.duration(end - start));
                int chars = (int) ((w - 6) / (FONT * SvgBuilder.CHAR_WIDTH));
                if (chars >= 3) {
                    String shown = label.length() <= chars ? label : label.substring(0, chars - 1) + "\u2026";
                    svg.text(x0 + 3, y + ROW / 2 + 4, FONT, shown, SvgBuilder.readableOn(fill));
                }
            });
            svg.raw("</g>\n");
        }
        return bottom;
    }
}
