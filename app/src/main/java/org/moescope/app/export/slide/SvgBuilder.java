package org.moescope.app.export.slide;

import java.io.IOException;
import java.io.Writer;
import java.util.Locale;
import javafx.scene.paint.Color;

/**
 * The parts every slide's SVG shares: shapes and text with escaped content, the title band above the chart and the
 * legend band below it (laid out as {@link SlideComposer} lays out the PNG's), and the document around them.
 */
final class SvgBuilder {
    /** Average glyph width of the sans-serif text, as a share of the font size, for fitting labels. */
    static final double CHAR_WIDTH = 0.6;

    private final StringBuilder body = new StringBuilder();
    private final StringBuilder defs = new StringBuilder();
    private int gradients;

    void rect(String cls, double x, double y, double w, double h, Color fill, String tooltip) {
        body.append("<rect class=\"").append(cls).append("\" x=\"").append(num(x)).append("\" y=\"").append(num(y))
                .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h)).append("\" fill=\"")
                .append(hex(fill)).append('"');
        if (tooltip == null) {
            body.append("/>\n");
        } else {
            body.append("><title>").append(escape(tooltip)).append("</title></rect>\n");
        }
    }

    /** Text from (x, y baseline); {@code anchor}: start, middle or end; {@code rotate}: degrees about (x, y). */
    void text(double x, double y, double size, String weight, String anchor, double rotate, String s, Color fill) {
        body.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" font-size=\"")
                .append(num(size)).append('"');
        if (!"normal".equals(weight)) {
            body.append(" font-weight=\"").append(weight).append('"');
        }
        if (!"start".equals(anchor)) {
            body.append(" text-anchor=\"").append(anchor).append('"');
        }
        if (rotate != 0) {
            body.append(" transform=\"rotate(").append(num(rotate)).append(' ').append(num(x)).append(' ')
                    .append(num(y)).append(")\"");
        }
        body.append(" fill=\"").append(hex(fill)).append("\">").append(escape(s)).append("</text>\n");
    }

    void text(double x, double y, double size, String s, Color fill) {
        text(x, y, size, "normal", "start", 0, s, fill);
    }

    void line(double x0, double y0, double x1, double y1, Color stroke, double opacity) {
        body.append("<line x1=\"").append(num(x0)).append("\" y1=\"").append(num(y0)).append("\" x2=\"").append(num(x1))
                .append("\" y2=\"").append(num(y1)).append("\" stroke=\"").append(hex(stroke))
                .append("\" stroke-opacity=\"").append(num(opacity)).append("\"/>\n");
    }

    /** A left-to-right gradient through {@code colors}; returns the fill to use, "url(#...)". */
    String gradient(java.util.List<Color> colors) {
        return gradient(colors, false);
    }

    /** A gradient through {@code colors}, left to right or bottom to top; returns the fill, "url(#...)". */
    String gradient(java.util.List<Color> colors, boolean upwards) {
        String id = "scale" + gradients++;
        defs.append("<linearGradient id=\"").append(id).append(upwards ? "\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n"
                : "\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">\n");
        for (int i = 0; i < colors.size(); i++) {
            defs.append("<stop offset=\"").append(num(i / (double) (colors.size() - 1))).append("\" stop-color=\"")
                    .append(hex(colors.get(i))).append("\"/>\n");
        }
        defs.append("</linearGradient>\n");
        return "url(#" + id + ")";
    }

    void raw(String svg) {
        body.append(svg);
    }

    /** The title and subtitle from the top; returns the y below them. */
    double titleBand(Slide slide) {
        double y = SlideComposer.PADDING + SlideComposer.TITLE_FONT;
        text(SlideComposer.PADDING, y, SlideComposer.TITLE_FONT, "bold", "start", 0, slide.title(), slide.text());
        if (!slide.subtitle().isEmpty()) {
            y += SlideComposer.TEXT_FONT + 6;
            text(SlideComposer.PADDING, y, SlideComposer.TEXT_FONT, slide.subtitle(), slide.text());
        }
        return y + SlideComposer.PADDING;
    }

    /** The axes line, the colour bar and the swatches (wrapped to {@code width}) from {@code top}; returns the y below. */
    double legendBand(Slide slide, double width, double top) {
        double pad = SlideComposer.PADDING;
        double font = SlideComposer.TEXT_FONT;
        double swatch = SlideComposer.SWATCH;
        double y = top + SlideComposer.PADDING / 2;
        body.append("<g class=\"legend\">\n");
        if (!slide.axes().isEmpty()) {
            y += font;
            text(pad, y, font, String.join("   \u00b7   ", slide.axes()), slide.text());
            y += 4;
        }
        ColorBar bar = slide.colorBar();
        if (bar != null) {
            double rowTop = y + 6;
            double x = pad;
            text(x, rowTop + swatch - 2, font, bar.low(), slide.text());
            x += bar.low().length() * font * CHAR_WIDTH + 6;
            body.append("<rect class=\"color-bar\" x=\"").append(num(x)).append("\" y=\"").append(num(rowTop))
                    .append("\" width=\"220\" height=\"").append(num(swatch)).append("\" fill=\"")
                    .append(gradient(bar.colors())).append("\"/>\n");
            x += 226;
            text(x, rowTop + swatch - 2, font, bar.high() + "  " + bar.valueName(), slide.text());
            y = rowTop + swatch;
        }
        double x = pad;
        double rowTop = y + 8;
        for (LegendEntry e : slide.legend()) {
            double w = swatch + 5 + e.label().length() * font * CHAR_WIDTH;
            if (x > pad && x + w > width - pad) {
                x = pad;
                rowTop += font + 8;
            }
            rect("swatch", x, rowTop, swatch, swatch, e.color(), null);
            text(x + swatch + 5, rowTop + swatch - 2, font, e.label(), slide.text());
            x += w + 14;
        }
        body.append("</g>\n");
        return slide.legend().isEmpty() ? y : rowTop + swatch;
    }

    /** The document: {@code width} x {@code height} user units, shown at {@code scale} times that in pixels. */
    void writeTo(Writer out, double width, double height, double scale, Color background) throws IOException {
        out.write(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %s %s\" "
                + "font-family=\"sans-serif\" stroke=\"none\" xml:space=\"preserve\">\n", Math.ceil(width * scale), Math.ceil(height * scale),
                num(width), num(height)));
        if (defs.length() > 0) {
            out.write("<defs>\n" + defs + "</defs>\n");
        }
        out.write("<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height)
                + "\" fill=\"" + hex(background) + "\"/>\n");
        out.write(body.toString());
        out.write("</svg>\n");
    }

    static Color readableOn(Color fill) {
        double luminance = 0.2126 * fill.getRed() + 0.7152 * fill.getGreen() + 0.0722 * fill.getBlue();
        return luminance < 0.5 ? Color.WHITE : Color.BLACK;
    }

    static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", Math.round(c.getRed() * 255), Math.round(c.getGreen() * 255),
                Math.round(c.getBlue() * 255));
    }

    static String num(double v) {
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
