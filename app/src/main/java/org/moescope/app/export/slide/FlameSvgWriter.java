package org.moescope.app.export.slide;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
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
    /** Average glyph width of the sans-serif text, as a share of the font size, for fitting labels. */
    private static final double CHAR_WIDTH = 0.6;
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
        double scale = options.scaleFor(width);
        double y = 0;
        StringBuilder body = new StringBuilder();
        if (options.title()) {
            y += SlideComposer.PADDING + SlideComposer.TITLE_FONT;
            text(body, SlideComposer.PADDING, y, SlideComposer.TITLE_FONT, "bold", slide.title(), slide.text());
            if (!slide.subtitle().isEmpty()) {
                y += SlideComposer.TEXT_FONT + 6;
                text(body, SlideComposer.PADDING, y, SlideComposer.TEXT_FONT, "normal", slide.subtitle(), slide.text());
            }
            y += SlideComposer.PADDING;
        }
        y = chart(body, layout, window, width, y, colors, slide.text());
        if (options.legend()) {
            y = legend(body, slide, width, y + SlideComposer.PADDING / 2);
        }
        double height = Math.ceil(y + SlideComposer.PADDING);
        out.write(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %s %s\" "
                + "font-family=\"sans-serif\" stroke=\"none\">\n", Math.ceil(width * scale), Math.ceil(height * scale), num(width), num(height)));
        out.write("<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height)
                + "\" fill=\"" + hex(slide.background()) + "\"/>\n");
        out.write(body.toString());
        out.write("</svg>\n");
    }

    /** The axis and the four rows, from {@code top}; returns the y below them. */
    private static double chart(StringBuilder svg, FlameLayout layout, TimeWindow window, double width, double top,
                                Function<String, Color> colors, Color ink) {
        double plot = Math.max(1, width - GUTTER);
        double bottom = top + AXIS + FlameLayout.DEPTHS * (ROW + GAP);
        double step = FlameText.tickStep(window.spanNanos() / plot * 110);
        svg.append("<g class=\"axis\" font-size=\"").append(num(FONT)).append("\">\n");
        for (double t = Math.ceil(window.startNanos() / step) * step; t <= window.endNanos(); t += step) {
            double x = GUTTER + window.toX(t, plot);
            line(svg, x, top + AXIS - 6, x, bottom, ink, 0.25);
            text(svg, x + 3, top + AXIS / 2 + 3, FONT, "normal", FlameText.tick(t, step), ink);
        }
        line(svg, GUTTER, top + AXIS, width, top + AXIS, ink, 0.4);
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            text(svg, 4, rowMid(top, d) + 4, FONT, "normal", ROW_NAMES[d], ink);
        }
        svg.append("</g>\n");
        for (int d = 0; d < FlameLayout.DEPTHS; d++) {
            int depth = d;
            double y = top + AXIS + d * (ROW + GAP);
            svg.append("<g class=\"row ").append(ROW_NAMES[d]).append("\" font-size=\"").append(num(FONT)).append("\">\n");
            // minimum width 0: every box gets its own rectangle, none merged
            layout.visit(d, window.startNanos(), window.endNanos(), 0, (index, start, end, merged) -> {
                double x0 = GUTTER + Math.max(0, window.toX(start, plot));
                double x1 = GUTTER + Math.min(plot, window.toX(end, plot));
                double w = Math.max(0.5, x1 - x0);
                Color fill = colors.apply(layout.colorKey(depth, index));
                String label = layout.label(depth, index);
                svg.append("<rect class=\"").append(ROW_NAMES[depth]).append("\" x=\"").append(num(x0))
                        .append("\" y=\"").append(num(y)).append("\" width=\"").append(num(w)).append("\" height=\"")
                        .append(num(ROW)).append("\" fill=\"").append(hex(fill)).append("\"><title>")
                        .append(escape(label + " \u2014 " + FlameText.duration(end - start))).append("</title></rect>\n");
                int chars = (int) ((w - 6) / (FONT * CHAR_WIDTH));
                if (chars >= 3) {
                    String shown = label.length() <= chars ? label : label.substring(0, chars - 1) + "\u2026";
                    text(svg, x0 + 3, y + ROW / 2 + 4, FONT, "normal", shown, readableOn(fill));
                }
            });
            svg.append("</g>\n");
        }
        return bottom;
    }

    private static double rowMid(double top, int depth) {
        return top + AXIS + depth * (ROW + GAP) + ROW / 2;
    }

    /** The axes line and the swatches, wrapped to the width; returns the y below them. */
    private static double legend(StringBuilder svg, Slide slide, double width, double top) {
        double pad = SlideComposer.PADDING;
        double font = SlideComposer.TEXT_FONT;
        double y = top;
        svg.append("<g class=\"legend\" font-size=\"").append(num(font)).append("\">\n");
        if (!slide.axes().isEmpty()) {
            y += font + 4;
            text(svg, pad, y, font, "normal", String.join("   \u00b7   ", slide.axes()), slide.text());
        }
        double x = pad;
        double rowTop = y + 8;
        for (LegendEntry e : slide.legend()) {
            double w = SlideComposer.SWATCH + 5 + e.label().length() * font * CHAR_WIDTH;
            if (x > pad && x + w > width - pad) {
                x = pad;
                rowTop += font + 8;
            }
            svg.append("<rect class=\"swatch\" x=\"").append(num(x)).append("\" y=\"").append(num(rowTop))
                    .append("\" width=\"").append(num(SlideComposer.SWATCH)).append("\" height=\"")
                    .append(num(SlideComposer.SWATCH)).append("\" fill=\"").append(hex(e.color())).append("\"/>\n");
            text(svg, x + SlideComposer.SWATCH + 5, rowTop + SlideComposer.SWATCH - 2, font, "normal", e.label(), slide.text());
            x += w + 14;
        }
        svg.append("</g>\n");
        return slide.legend().isEmpty() ? y : rowTop + SlideComposer.SWATCH;
    }

    private static void text(StringBuilder svg, double x, double y, double size, String weight, String s, Color fill) {
        svg.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" font-size=\"")
                .append(num(size)).append("\" font-weight=\"").append(weight).append("\" fill=\"").append(hex(fill))
                .append("\">").append(escape(s)).append("</text>\n");
    }

    private static void line(StringBuilder svg, double x0, double y0, double x1, double y1, Color stroke, double opacity) {
        svg.append("<line x1=\"").append(num(x0)).append("\" y1=\"").append(num(y0)).append("\" x2=\"").append(num(x1))
                .append("\" y2=\"").append(num(y1)).append("\" stroke=\"").append(hex(stroke))
                .append("\" stroke-opacity=\"").append(num(opacity)).append("\"/>\n");
    }

    private static Color readableOn(Color fill) {
        double luminance = 0.2126 * fill.getRed() + 0.7152 * fill.getGreen() + 0.0722 * fill.getBlue();
        return luminance < 0.5 ? Color.WHITE : Color.BLACK;
    }

    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255), Math.round(c.getGreen() * 255),
                Math.round(c.getBlue() * 255));
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> {
                    // XML 1.0 allows no control characters but tab, newline and carriage return
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
