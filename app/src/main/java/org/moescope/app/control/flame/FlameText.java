package org.moescope.app.control.flame;

import java.util.List;
import java.util.Locale;
import org.moescope.app.glossary.Glossary;
import org.moescope.engine.profile.StageSpan;

/** Text of the flame chart, kept free of JavaFX: durations, axis ticks and the hover description of a box. */
public final class FlameText {

    private FlameText() {
    }

    /** "850 ns", "12.3 µs", "4.56 ms", "1.23 s". */
    public static String duration(double nanos) {
        double a = Math.abs(nanos);
        if (a < 1_000) {
            return String.format(Locale.ROOT, "%.0f ns", nanos);
        } else if (a < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f \u00b5s", nanos / 1e3);
        } else if (a < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

    /** Tick spacing: the 1-2-5 step nearest above {@code rawNanos}. */
    public static double tickStep(double rawNanos) {
        if (!(rawNanos > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rawNanos)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= rawNanos) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** Axis label of time {@code t} on ticks {@code step} apart, in the unit of the step with just enough decimals. */
    public static String tick(double t, double step) {
        String[] units = {"ns", "\u00b5s", "ms", "s"};
        int u = 0;
        double scale = 1;
        while (u < 3 && step >= scale * 100) {
            scale *= 1000;
            u++;
        }
        double stepInUnit = step / scale;
        int decimals = stepInUnit >= 1 ? 0 : (int) Math.ceil(-Math.log10(stepInUnit) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f %s", t / scale, units[u]);
    }

    /**
     * Hover text of a box: name and duration, where it sits, the tokens and switch state it ran with, and the
     * first sentence of the glossary entry of its stage, block or path.
     */
    public static String describe(FlameLayout layout, int depth, int index) {
        return describe(layout, depth, index, null);
    }

    /** {@link #describe(FlameLayout, int, int)} with {@code detail}'s line for a stage box (when it gives one). */
    public static String describe(FlameLayout layout, int depth, int index,
                                  java.util.function.Function<StageSpan, String> detail) {
        StageSpan s = layout.firstSpan(depth, index);
        List<StageSpan> leaves = layout.spansOf(depth, index);
        long duration = layout.end(depth, index) - layout.start(depth, index);
        StringBuilder sb = new StringBuilder();
        sb.append(layout.label(depth, index)).append(" \u2014 ").append(duration(duration));
        if (depth < FlameLayout.DEPTH_STAGE) {
            long busy = leaves.stream().mapToLong(StageSpan::durationNanos).sum();
            sb.append("\n").append(leaves.size()).append(leaves.size() == 1 ? " stage" : " stages")
                    .append(", device busy ").append(duration(busy));
        }
        sb.append("\nstep ").append(s.step()).append(" (").append(s.phase().label()).append(")");
        if (depth >= FlameLayout.DEPTH_LAYER) {
            sb.append(" \u00b7 ").append(s.layer() < 0 ? "outside the layers" : "layer " + s.layer());
        }
        if (depth >= FlameLayout.DEPTH_BLOCK) {
            sb.append(" \u00b7 ").append(s.block());
        }
        sb.append("\ntokens ").append(s.tokens());
        if (s.options() != null) {
            sb.append(" \u00b7 ").append(s.options().label());
        }
        sb.append("\nstarts at ").append(duration(layout.start(depth, index)));
        if (detail != null && depth == FlameLayout.DEPTH_STAGE) {
            String line = detail.apply(s);
            if (line != null) {
                sb.append("\n").append(line);
            }
        }
        String entry = switch (depth) {
            case FlameLayout.DEPTH_STEP -> Glossary.phase(s.phase().label());
            case FlameLayout.DEPTH_BLOCK -> Glossary.block(s.block());
            case FlameLayout.DEPTH_STAGE -> Glossary.stage(s.block(), s.stage());
            default -> null;
        };
        if (entry != null) {
            // one sentence: the box must stay about as tall as the chart (the legend and tables hold the rest)
            sb.append("\n").append(wrap(Glossary.firstSentence(entry), WRAP_COLUMNS));
        }
        return sb.toString();
    }

    /**
     * Characters per line of a glossary sentence in the hover box (which sizes itself to its text); the glossary's
     * first sentences of stages, blocks and paths fit on one such line.
     */
    public static final int WRAP_COLUMNS = 110;

    /** {@code text} broken at spaces into lines of at most {@code columns} characters (longer words stay whole). */
    public static String wrap(String text, int columns) {
        StringBuilder out = new StringBuilder();
        int lineLength = 0;
        for (String word : text.split(" ")) {
            if (lineLength > 0 && lineLength + 1 + word.length() > columns) {
                out.append('\n');
                lineLength = 0;
            } else if (lineLength > 0) {
                out.append(' ');
                lineLength++;
            }
            out.append(word);
            lineLength += word.length();
        }
        return out.toString();
    }
}
