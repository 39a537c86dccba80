package org.moescope.app.export.slide;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.paint.Color;
import org.moescope.app.control.heatmap.ColorScale;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.app.control.heatmap.RoutingHeatmapSkin;

/**
 * Writes a routing heatmap as SVG, laid out as the app draws it: row labels on the left, one rectangle per cell
 * (with its description as a tooltip), column labels and the axis names below, the colour bar on the right; then the
 * slide's title band above and legend band below.
 */
public final class HeatmapSvgWriter {
    private static final double FONT = 10;
    private static final double TOP = 6;
    private static final double BOTTOM = 34;
    private static final double BAR = 12;
    private static final double RIGHT = BAR + 64;
    private static final double MIN_LABEL_SPACING = 12;

    private HeatmapSvgWriter() {
    }

    /** {@code width} x {@code height}: the heatmap's size on screen, px (the SVG's user units for the chart). */
    public static void write(Slide slide, SlideOptions options, HeatmapData data, ColorScale scale, double width,
                             double height, Writer out) throws IOException {
        if (data.isEmpty()) {
            throw new IllegalArgumentException("the heatmap has no cells to export yet: run the model first");
        }
        SvgBuilder svg = new SvgBuilder();
        double y = options.title() ? svg.titleBand(slide) : 0;
        chart(svg, data, scale, width, height, y, slide.text());
        y += height;
        if (options.legend()) {
            y = svg.legendBand(slide, width, y);
        }
        svg.writeTo(out, width, Math.ceil(y + SlideComposer.PADDING), options.scaleFor(width), slide.background());
    }

    private static void chart(SvgBuilder svg, HeatmapData d, ColorScale scale, double width, double height, double top,
                              Color ink) {
        double charWidth = FONT * SvgBuilder.CHAR_WIDTH;
        int longest = d.rowAxis().length();
        for (int r = 0; r < Math.min(d.rows(), 2000); r++) {
            longest = Math.max(longest, d.rowLabel(r).length());
        }
        double left = Math.min(170, longest * charWidth + 10) + 14;
        double pw = Math.max(1, width - left - RIGHT);
        double ph = Math.max(1, height - TOP - BOTTOM);
        double cw = pw / d.cols();
        double ch = ph / d.rows();
        double y0 = top + TOP;
        boolean gaps = cw >= 6 && ch >= 6;
        svg.raw("<g class=\"cells\">\n");
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.cols(); c++) {
                int argb = scale.argb(d.value(r, c), d.max());
                // a thin gap between cells large enough to tell apart, as on screen
                svg.rect("cell", left + c * cw, y0 + r * ch, gaps ? cw - 0.5 : cw, gaps ? ch - 0.5 : ch,
                        Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff), d.describe(r, c));
            }
        }
        svg.raw("</g>\n<g class=\"labels\">\n");
        int rowStride = RoutingHeatmapSkin.rowLabelStride((int) Math.ceil(MIN_LABEL_SPACING / ch), d.rowPeriod());
        int maxChars = (int) ((left - 20) / charWidth);
        for (int r = 0; r < d.rows(); r += rowStride) {
            String label = d.rowLabel(r);
            if (label.length() > maxChars) {
                label = label.substring(0, Math.max(1, maxChars - 1)) + "\u2026";
            }
            svg.text(left - 4, y0 + (r + 0.5) * ch + FONT / 3, FONT, "normal", "end", 0, label, ink);
        }
        int widest = Integer.toString(d.cols() - 1).length();
        int colStride = 1;
        while (colStride * cw < widest * charWidth + 6) {
            colStride *= 2;
        }
        for (int c = 0; c < d.cols(); c += colStride) {
            svg.text(left + (c + 0.5) * cw, y0 + ph + 8 + FONT / 3, FONT, "normal", "middle", 0, d.colLabel(c), ink);
        }
        svg.text(left + pw / 2, y0 + ph + 24 + FONT / 3, FONT, "normal", "middle", 0,
                d.colAxis() + (colStride > 1 ? " (every " + colStride + ")" : ""), ink);
        svg.text(8 + FONT / 3, y0 + ph / 2, FONT, "normal", "middle", -90, d.rowAxis(), ink);
        double x = left + pw + 10;
        List<Color> colors = new ArrayList<>();
        for (int argb : scale.stops()) {
            colors.add(Color.rgb((argb >>> 16) & 0xff, (argb >>> 8) & 0xff, argb & 0xff));
        }
        svg.raw("<rect class=\"color-bar\" x=\"" + SvgBuilder.num(x) + "\" y=\"" + SvgBuilder.num(y0) + "\" width=\""
                + SvgBuilder.num(BAR) + "\" height=\"" + SvgBuilder.num(ph) + "\" fill=\"" + svg.gradient(colors, true) + "\"/>\n");
        svg.text(x + BAR + 4, y0 + 5 + FONT / 3, FONT, max(d.max()), ink);
        svg.text(x + BAR + 4, y0 + ph - 5 + FONT / 3, FONT, "0", ink);
        if (d.valueName().length() * charWidth <= ph + 2 * TOP) {
            svg.text(x + BAR + 6 + max(d.max()).length() * charWidth + FONT / 2, y0 + ph / 2, FONT, "normal", "middle", 90,
                    d.valueName(), ink);
        }
        svg.raw("</g>\n");
    }

    private static String max(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format(java.util.Locale.ROOT, "%.0f", v)
                : String.format(java.util.Locale.ROOT, "%.2f", v);
    }
}
