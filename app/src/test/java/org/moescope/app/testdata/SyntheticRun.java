package org.moescope.app.testdata;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;

/** Deterministic synthetic spans and routing shaped like a Qwen3-MoE run, for view and exporter tests. */
public final class SyntheticRun {

    public static final List<String> ATTENTION = List.of("input_norm", "qkv", "qk_norm", "rope", "attn", "o_proj", "residual");
    public static final List<String> MOE_DECODE_FUSED = List.of("router", "route", "gate_up_silu", "down", "wsum");
    public static final List<String> MOE_DECODE = List.of("router", "route", "gate", "up", "silu", "down", "wsum");
    public static final List<String> MOE_PREFILL = List.of("router", "route_ids", "gate", "up", "silu", "down", "wsum");

    private SyntheticRun() {
    }

    /**
     * Spans of one step starting at {@code startNanos}: embed, then per layer attention + moe stages, then final_norm
     * and lm_head. Each stage lasts {@code stageNanos} (prefill: ×tokens/4 + 1), 100 ns gap between stages.
     */
    public static List<StageSpan> stepSpans(int step, Phase phase, int layers, int tokens, MoeOptions options,
                                            long startNanos, long stageNanos) {
        List<StageSpan> out = new ArrayList<>();
        long[] t = {startNanos};
        long dur = phase == Phase.PREFILL ? stageNanos * (tokens / 4 + 1) : stageNanos;
        java.util.function.BiConsumer<Integer, String[]> add = (layer, blockStage) -> {
            out.add(new StageSpan(step, phase, layer, blockStage[0], blockStage[1], tokens, options, t[0], t[0] + dur));
            t[0] += dur + 100;
        };
        add.accept(-1, new String[] {"model", "embed"});
        List<String> moe = phase == Phase.PREFILL ? MOE_PREFILL : options.fusedGateUpSilu() ? MOE_DECODE_FUSED : MOE_DECODE;
        for (int l = 0; l < layers; l++) {
            for (String s : ATTENTION) {
                add.accept(l, new String[] {"attention", s});
            }
            for (String s : moe) {
                add.accept(l, new String[] {"moe", s});
            }
        }
        add.accept(-1, new String[] {"model", "final_norm"});
        add.accept(-1, new String[] {"model", "lm_head"});
        return out;
    }

    /** A prefill of {@code promptTokens} then {@code decodeSteps} decode steps, 10 µs between steps. */
    public static List<StageSpan> runSpans(int layers, int promptTokens, int decodeSteps, long stageNanos) {
        List<StageSpan> out = new ArrayList<>();
        long t = 1_000_000_000L;
        MoeOptions options = MoeOptions.DEFAULT.withProfiling(true);
        for (int step = 0; step <= decodeSteps; step++) {
            Phase phase = step == 0 ? Phase.PREFILL : Phase.DECODE;
            List<StageSpan> s = stepSpans(step, phase, layers, step == 0 ? promptTokens : 1, options, t, stageNanos);
            out.addAll(s);
            t = s.get(s.size() - 1).endNanos() + 10_000;
        }
        return out;
    }

    /**
     * Routing of one step: {@code tokens} rows, every layer MoE, softmax over random logits, top-k by probability,
     * weights renormalised.
     */
    public static StepRouting stepRouting(int step, Phase phase, int tokens, int layers, int experts, int k, long seed) {
        Random rnd = new Random(seed);
        int[] ids = new int[tokens];
        int[] pos = new int[tokens];
        int[] seq = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            ids[i] = rnd.nextInt(1000);
            pos[i] = phase == Phase.PREFILL ? i : 10 + step;
            seq[i] = phase == Phase.BATCHED_DECODE ? i : 0;
        }
        List<LayerRouting> routed = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            int[] top = new int[tokens * k];
            float[] w = new float[tokens * k];
            float[] probs = new float[tokens * experts];
            for (int i = 0; i < tokens; i++) {
                double sum = 0;
                double[] p = new double[experts];
                for (int e = 0; e < experts; e++) {
                    // skewed logits: low expert ids are favoured, so loads are uneven and some experts stay idle
                    p[e] = Math.exp(rnd.nextGaussian() * 1.5 - e * 0.05);
                    sum += p[e];
                }
                Integer[] order = new Integer[experts];
                for (int e = 0; e < experts; e++) {
                    probs[i * experts + e] = (float) (p[e] / sum);
                    order[e] = e;
                }
                java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
                double topSum = 0;
                for (int j = 0; j < k; j++) {
                    topSum += p[order[j]] / sum;
                }
                for (int j = 0; j < k; j++) {
                    top[i * k + j] = order[j];
                    w[i * k + j] = (float) (p[order[j]] / sum / topSum);
                }
            }
            routed.add(new LayerRouting(l, tokens, k, experts, top, w, probs));
        }
        return new StepRouting(step, phase, ids, pos, seq, routed);
    }
}
