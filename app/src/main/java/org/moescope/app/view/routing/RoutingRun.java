package org.moescope.app.view.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.moescope.app.control.expertgrid.ExpertGridData;
import org.moescope.app.control.heatmap.HeatmapData;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StepRouting;

/**
 * The routing of a whole run as one table: every token row of every step (prompt tokens of the prefill, then one row
 * per sequence per decode step) against every MoE layer. Pure view of the engine's {@link StepRouting} records
 * (nothing copied but indices); builds the heatmaps' data.
 */
public final class RoutingRun {

    /** One routed token: which step and row of that step it is, and its id/position/sequence. */
    public record TokenRow(int stepIndex, int step, Phase phase, int rowInStep, int tokenId, int position, int sequence) {
    }

    private final List<StepRouting> steps;
    private final List<TokenRow> rows = new ArrayList<>();
    private final int[] layers;
    private final int experts;
    private final int topK;
    /** {@code [layerIndex][stepIndex]} the layer's routing in that step, or null. */
    private final LayerRouting[][] byLayerStep;

    /** {@code routings}: the steps' routing in order; null entries (steps without capture) are skipped. */
    public RoutingRun(List<StepRouting> routings) {
        this.steps = routings.stream().filter(java.util.Objects::nonNull).toList();
        TreeSet<Integer> layerSet = new TreeSet<>();
        int e = 0;
        int k = 0;
        for (int s = 0; s < steps.size(); s++) {
            StepRouting r = steps.get(s);
            for (int i = 0; i < r.tokenIds().length; i++) {
                rows.add(new TokenRow(s, r.step(), r.phase(), i, r.tokenIds()[i], r.positions()[i], r.sequences()[i]));
            }
            for (LayerRouting l : r.layers()) {
                if (l.tokens() != r.tokenIds().length) {
                    throw new IllegalArgumentException("routings: step " + r.step() + " layer " + l.layer() + " has "
                            + l.tokens() + " tokens but the step has " + r.tokenIds().length);
                }
                layerSet.add(l.layer());
                e = Math.max(e, l.experts());
                k = Math.max(k, l.k());
            }
        }
        this.layers = layerSet.stream().mapToInt(Integer::intValue).toArray();
        this.experts = e;
        this.topK = k;
        this.byLayerStep = new LayerRouting[layers.length][steps.size()];
        for (int s = 0; s < steps.size(); s++) {
            for (LayerRouting l : steps.get(s).layers()) {
                byLayerStep[layerIndex(l.layer())][s] = l;
            }
        }
    }

    public List<TokenRow> rows() {
        return rows;
    }

    /** Decoder-layer numbers of the MoE layers, ascending. */
    public int[] layers() {
        return layers.clone();
    }

    public int experts() {
        return experts;
    }

    public int topK() {
        return topK;
    }

    public boolean isEmpty() {
        return rows.isEmpty() || layers.length == 0;
    }

    /** Position of decoder layer {@code layer} in {@link #layers()}, or -1. */
    public int layerIndex(int layer) {
        int i = java.util.Arrays.binarySearch(layers, layer);
        return i >= 0 ? i : -1;
    }

    /** The engine record holding row {@code row} at MoE layer {@code layerIndex}, or null when not captured. */
    public LayerRouting routing(int row, int layerIndex) {
        return byLayerStep[layerIndex][rows.get(row).stepIndex()];
    }

    /** Chosen experts of the row, descending probability ({@code [k]}; empty when not captured). */
    public int[] topIds(int row, int layerIndex) {
        LayerRouting l = routing(row, layerIndex);
        if (l == null) {
            return new int[0];
        }
        int i = rows.get(row).rowInStep();
        return java.util.Arrays.copyOfRange(l.ids(), i * l.k(), (i + 1) * l.k());
    }

    /** Their weights ({@code [k]}, renormalised when the model does). */
    public float[] topWeights(int row, int layerIndex) {
        LayerRouting l = routing(row, layerIndex);
        if (l == null) {
            return new float[0];
        }
        int i = rows.get(row).rowInStep();
        return java.util.Arrays.copyOfRange(l.weights(), i * l.k(), (i + 1) * l.k());
    }

    /** Full softmax over the experts ({@code [E]}), or null when the engine did not keep it. */
    public float[] probs(int row, int layerIndex) {
        LayerRouting l = routing(row, layerIndex);
        if (l == null || l.probs() == null) {
            return null;
        }
        int i = rows.get(row).rowInStep();
        return java.util.Arrays.copyOfRange(l.probs(), i * l.experts(), (i + 1) * l.experts());
    }

    /** The routing weight expert {@code expert} got for the row (0 when it was not in the top-k). */
    public double weight(int row, int layerIndex, int expert) {
        int[] ids = topIds(row, layerIndex);
        float[] w = topWeights(row, layerIndex);
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] == expert) {
                return w[j];
            }
        }
        return 0;
    }

    /** The row's top-1 expert, or -1 when not captured. */
    public int top1(int row, int layerIndex) {
        int[] ids = topIds(row, layerIndex);
        return ids.length == 0 ? -1 : ids[0];
    }

    /** Tokens routed to each expert at the layer over all rows ({@code [E]}, every top-k slot counts once). */
    public long[] loads(int layerIndex) {
        long[] loads = new long[experts];
        for (LayerRouting l : byLayerStep[layerIndex]) {
            if (l != null) {
                for (int id : l.ids()) {
                    loads[id]++;
                }
            }
        }
        return loads;
    }

    public RoutingStats stats(int layerIndex) {
        return RoutingStats.of(loads(layerIndex));
    }

    /** Row label for displays: "'text' (pos 12)" with the sequence when batched. */
    public String rowLabel(int row, IntFunction<String> tokenText) {
        TokenRow r = rows.get(row);
        String seq = r.phase() == Phase.BATCHED_DECODE ? "seq " + r.sequence() + ", " : "";
        return "'" + printable(tokenText.apply(r.tokenId())) + "' (" + seq + "pos " + r.position() + ")";
    }

    /** Token text with control characters made visible, for labels. */
    public static String printable(String text) {
        return text == null ? "" : text.replace("\n", "\u21b5").replace("\t", "\u21e5").replace("\r", "");
    }

    /** Token × expert matrix of routing weights at one MoE layer ({@code probabilities}: the full softmax instead). */
    public HeatmapData tokenExpertHeatmap(int layerIndex, IntFunction<String> tokenText, boolean probabilities) {
        int n = rows.size();
        double[] values = new double[n * experts];
        for (int r = 0; r < n; r++) {
            float[] p = probabilities ? probs(r, layerIndex) : null;
            if (p != null) {
                for (int e = 0; e < experts; e++) {
                    values[r * experts + e] = p[e];
                }
            } else if (!probabilities) {
                int[] ids = topIds(r, layerIndex);
                float[] w = topWeights(r, layerIndex);
                for (int j = 0; j < ids.length; j++) {
                    values[r * experts + ids[j]] = w[j];
                }
            }
        }
        int layer = layers[layerIndex];
        // a batched decode step adds one row per sequence, so the rows take turns by sequence
        int sequences = 1;
        for (TokenRow t : rows) {
            sequences = Math.max(sequences, t.sequence() + 1);
        }
        return new HeatmapData(n, experts, values, "token", "expert",
                probabilities ? "router probability" : "routing weight",
                r -> rowLabel(r, tokenText), e -> Integer.toString(e),
                (r, e) -> describeToken(r, layerIndex, tokenText) + "\nexpert " + e + " at layer " + layer + ": "
                        + (probabilities ? "probability " : "weight ") + format(values[r * experts + e]))
                .withRowPeriod(sequences);
    }

    /** Layer × expert matrix of tokens routed per expert over the whole run. */
    public HeatmapData layerLoadHeatmap() {
        double[] values = new double[layers.length * experts];
        for (int li = 0; li < layers.length; li++) {
            long[] loads = loads(li);
            for (int e = 0; e < experts; e++) {
                values[li * experts + e] = loads[e];
            }
        }
        return new HeatmapData(layers.length, experts, values, "layer", "expert", "tokens routed",
                li -> "layer " + layers[li], e -> Integer.toString(e),
                (li, e) -> "layer " + layers[li] + ", expert " + e + ": " + (long) values[li * experts + e]
                        + " tokens routed (mean " + format(stats(li).meanLoad()) + ")");
    }

    /** Row {@code row}'s routing weights at every MoE layer, for the expert grid. */
    public ExpertGridData expertGrid(int row, IntFunction<String> tokenText) {
        float[][] weights = new float[layers.length][experts];
        for (int li = 0; li < layers.length; li++) {
            int[] ids = topIds(row, li);
            float[] w = topWeights(row, li);
            for (int j = 0; j < ids.length; j++) {
                // a weight of exactly 0 still marks a chosen expert
                weights[li][ids[j]] = Math.max(w[j], Float.MIN_VALUE);
            }
        }
        TokenRow r = rows.get(row);
        return new ExpertGridData("token " + rowLabel(row, tokenText) + ", step " + r.step(), layers, experts, weights);
    }

    /** How many rows have each expert as their top-1 at the layer (experts that are nobody's top-1 left out). */
    public java.util.Map<Integer, Long> top1Counts(int layerIndex) {
        java.util.Map<Integer, Long> counts = new java.util.TreeMap<>();
        for (int r = 0; r < rows.size(); r++) {
            int e = top1(r, layerIndex);
            if (e >= 0) {
                counts.merge(e, 1L, Long::sum);
            }
        }
        return counts;
    }

    /** "token 'the' (pos 3), step 0 prefill → experts 5 (0.41), 17 (0.22), ..." */
    public String describeToken(int row, int layerIndex, IntFunction<String> tokenText) {
        TokenRow r = rows.get(row);
        StringBuilder sb = new StringBuilder("token ").append(rowLabel(row, tokenText)).append(", step ")
                .append(r.step()).append(' ').append(r.phase().label()).append("\nexperts");
        int[] ids = topIds(row, layerIndex);
        float[] w = topWeights(row, layerIndex);
        for (int j = 0; j < ids.length; j++) {
            sb.append(j == 0 ? " " : ", ").append(ids[j]).append(" (").append(format(w[j])).append(')');
        }
        return sb.toString();
    }

    static String format(double v) {
        return String.format(java.util.Locale.ROOT, v >= 100 ? "%.0f" : "%.3f", v);
    }
}
