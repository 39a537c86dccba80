package org.moescope.app.view.routing;

import java.util.Locale;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;
import org.moescope.app.control.ExpertPalette;

/**
 * Bar chart of one token's router probabilities over all experts at one layer: grey bars for every expert, the
 * chosen top-k in their expert colours and labelled with their id, a y axis in probability and an x axis of
 * expert ids. Drawn on a Canvas that is redrawn when the size or data changes.
 */
public class ProbabilityBars extends Region {

    private static final double LEFT = 44;
    private static final double BOTTOM = 30;
    private static final double TOP = 16;
    private static final double RIGHT = 8;

    private final Canvas canvas = new Canvas();
    /** Hidden label whose CSS text fill (the theme's) colours the axes, so the chart follows light and dark themes. */
    private final Label themeProbe = new Label();
    private float[] probs = new float[0];
    private int[] chosen = new int[0];
    private String caption = "";

    public ProbabilityBars() {
        getStyleClass().add("probability-bars");
        // its font is the chart's text size (CSS .chart-font, in em)
        themeProbe.getStyleClass().add("chart-font");
        themeProbe.setManaged(false);
        themeProbe.setVisible(false);
        themeProbe.textFillProperty().addListener(o -> draw());
        // larger text (presentation mode) draws the whole chart larger
        themeProbe.fontProperty().addListener(o -> {
            setMinHeight(150 * textScale());
            setPrefHeight(190 * textScale());
            draw();
        });
        getChildren().addAll(canvas, themeProbe);
        setMinHeight(150);
        setPrefHeight(190);
    }

    /** The chart's text size over the default 10 px (at least 1): the whole chart is drawn that much larger. */
    private double textScale() {
        return Math.max(1, themeProbe.getFont().getSize() / 10);
    }

    /** The size of the text it draws, px. */
    public double textSize() {
        return 10 * textScale();
    }

    /** {@code probs}: {@code [E]} probabilities (or the top-k weights scattered into E slots); {@code chosen}: top-k ids. */
    public void show(float[] probs, int[] chosen, String caption) {
        this.probs = probs.clone();
        this.chosen = chosen.clone();
        this.caption = caption;
        draw();
    }

    @Override
    protected void layoutChildren() {
        canvas.setWidth(getWidth());
        canvas.setHeight(getHeight());
        draw();
    }

    private void draw() {
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.clearRect(0, 0, canvas.getWidth(), canvas.getHeight());
        double scale = textScale();
        g.save();
        g.scale(scale, scale);
        draw(g, canvas.getWidth() / scale, canvas.getHeight() / scale);
        g.restore();
    }

    /** Draws on {@code w} x {@code h} units of the default text size. */
    private void draw(GraphicsContext g, double w, double h) {
        if (w < LEFT + RIGHT + 10 || h < TOP + BOTTOM + 10) {
            return;
        }
        g.setFont(Font.font(10));
        g.setTextBaseline(VPos.CENTER);
        Color text = themeProbe.getTextFill() instanceof Color c ? c : Color.web("#37474f");
        g.setFill(text);
        g.fillText(caption, LEFT, TOP / 2);
        if (probs.length == 0) {
            return;
        }
        double max = 0;
        for (float p : probs) {
            max = Math.max(max, p);
        }
        max = niceMax(max);
        double pw = w - LEFT - RIGHT;
        double ph = h - TOP - BOTTOM;
        // y axis: 0, max/2, max
        g.setStroke(text.deriveColor(0, 1, 1, 0.2));
        g.setTextAlign(TextAlignment.RIGHT);
        for (int i = 0; i <= 5; i++) {
            double v = max * i / 5;
            double y = TOP + ph - v / max * ph;
            g.strokeLine(LEFT, Math.floor(y) + 0.5, LEFT + pw, Math.floor(y) + 0.5);
            g.fillText(String.format(Locale.ROOT, "%.2f", v), LEFT - 4, y);
        }
        double bw = pw / probs.length;
        for (int e = 0; e < probs.length; e++) {
            double bh = probs[e] / max * ph;
            g.setFill(rank(e) >= 0 ? ExpertPalette.color(e) : Color.web("#b0bec5"));
            g.fillRect(LEFT + e * bw + (bw > 3 ? 0.5 : 0), TOP + ph - bh, Math.max(1, bw > 3 ? bw - 1 : bw), bh);
        }
        // expert ids over the chosen bars, in rank order; a label that would overlap one already placed moves up a line
        g.setFill(text);
        g.setTextAlign(TextAlignment.CENTER);
        java.util.List<double[]> placed = new java.util.ArrayList<>();
        for (int id : chosen) {
            String label = Integer.toString(id);
            double half = label.length() * 3.2 + 2;
            double x = LEFT + (id + 0.5) * bw;
            double y = Math.max(TOP + 4, TOP + ph - probs[id] / max * ph - 7);
            boolean moved = true;
            while (moved) {
                moved = false;
                for (double[] p : placed) {
                    if (Math.abs(p[0] - x) < half + p[2] && Math.abs(p[1] - y) < 10) {
                        y = p[1] - 11;
                        moved = true;
                    }
                }
            }
            if (y >= TOP - 2) {
                g.fillText(label, x, y);
                placed.add(new double[] {x, y, half});
            }
        }
        g.setFill(text);
        g.setTextAlign(TextAlignment.CENTER);
        int stride = 1;
        while (stride * bw < 22) {
            stride *= 2;
        }
        for (int e = 0; e < probs.length; e += stride) {
            g.fillText(Integer.toString(e), LEFT + (e + 0.5) * bw, TOP + ph + 8);
        }
        g.fillText("expert" + (stride > 1 ? " (every " + stride + ")" : ""), LEFT + pw / 2, TOP + ph + 22);
        g.save();
        g.translate(10, TOP + ph / 2);
        g.rotate(-90);
        g.fillText("probability", 0, 0);
        g.restore();
        g.setTextAlign(TextAlignment.LEFT);
    }

    private int rank(int expert) {
        for (int j = 0; j < chosen.length; j++) {
            if (chosen[j] == expert) {
                return j;
            }
        }
        return -1;
    }

    private static double niceMax(double max) {
        if (!(max > 0)) {
            return 1;
        }
        // five gridlines apart: 0.01, 0.02, 0.04, 0.05, 0.1 or 0.2
        for (double m : new double[] {0.05, 0.1, 0.2, 0.25, 0.5, 1.0}) {
            if (max <= m) {
                return m;
            }
        }
        return max;
    }
}
