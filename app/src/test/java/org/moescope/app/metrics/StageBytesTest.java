package org.moescope.app.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.moescope.app.control.flame.FlameLayout;
import org.moescope.app.control.flame.FlameText;
import org.moescope.app.view.timeline.StageSummary;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelPresets;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.StepResult;

/** The weight bytes of MoE stages in their stored types, as the tooltips and the stage table show them. */
class StageBytesTest {
    private static final ModelConfig QWEN_CONFIG = ModelPresets.resolve("qwen3-30b-a3b");
    private static final MoeShape QWEN = QWEN_CONFIG.moeShape();
    // one 768 x 2048 expert matrix: Q4_K 144 bytes per 256 weights = 884,736 bytes; Q6_K 210 per 256 = 1,290,240
    private static final long Q4K_MATRIX = 884_736;
    private static final long Q6K_MATRIX = 1_290_240;
    private static final MoeOptions Q8 = MoeOptions.DEFAULT.withQ8Activations(true).withProfiling(true);
    /** A Q4_K_M-like model: layer 0 keeps down in Q6_K, layer 1 in Q4_K; the router is F32. */
    private static final WeightTypes TYPES = new WeightTypes("Q4_K_M", List.of(DType.Q4_K, DType.Q6_K),
            List.of(DType.Q4_K), List.of(), DType.Q4_K, DType.Q6_K,
            Map.of(0, new WeightTypes.MoeLayerTypes(DType.F32, DType.Q4_K, DType.Q4_K, DType.Q6_K),
                    1, new WeightTypes.MoeLayerTypes(DType.F32, DType.Q4_K, DType.Q4_K, DType.Q4_K)),
            Map.of(0, new WeightTypes.AttentionTypes(DType.Q4_K, DType.Q4_K, DType.Q6_K, DType.Q4_K)));

    private static StageSpan span(int step, int layer, String block, String stage, long nanos) {
        return new StageSpan(step, Phase.DECODE, layer, block, stage, 1, Q8, 0, nanos);
    }

    /** A decode step whose layers route to experts {@code ids} (8 of them, some repeated across slots never). */
    private static StepResult decodeStep(int step, int[] ids0, int[] ids1, List<StageSpan> spans) {
        StepRouting routing = new StepRouting(step, Phase.DECODE, new int[] {5}, new int[] {7}, new int[] {0},
                List.of(new LayerRouting(0, 1, 8, 128, ids0, new float[8], null),
                        new LayerRouting(1, 1, 8, 128, ids1, new float[8], null)));
        return new StepResult(step, Phase.DECODE, 1, new int[] {9}, new String[] {""}, Q8, spans, routing, 1, false);
    }

    @Test
    void expertStagesCountTheDistinctExpertsOfTheirLayerInTheLayersTypes() {
        int[] eight = {0, 1, 2, 3, 4, 5, 6, 7};
        StageSpan fused0 = span(3, 0, "moe", "gate_up_silu_q8", 1_000_000);
        StageSpan down0 = span(3, 0, "moe", "down_q8", 1_000_000);
        StageSpan down1 = span(3, 1, "moe", "down_q8", 1_000_000);
        StageSpan router1 = span(3, 1, "moe", "router", 1_000);
        StageSpan quantize = span(3, 0, "moe", "quantize_q8", 1_000);
        StageSpan attention = span(3, 0, "attention", "attn", 1_000);
        StageSpan otherStep = span(4, 0, "moe", "down_q8", 1_000);
        StageBytes bytes = StageBytes.forModel(QWEN_CONFIG, TYPES).withSteps(List.of(decodeStep(3, eight, eight,
                List.of(fused0, down0, down1, router1, quantize, attention))));

        assertEquals(2 * 8 * Q4K_MATRIX, bytes.of(fused0));
        assertEquals(8 * Q6K_MATRIX, bytes.of(down0), "layer 0 keeps down in Q6_K");
        assertEquals(8 * Q4K_MATRIX, bytes.of(down1));
        assertEquals(128L * 2048 * 4, bytes.of(router1), "the F32 router, whole");
        assertEquals(0, bytes.of(quantize), "quantizing activations reads no weights");
        assertEquals(-1, bytes.of(attention), "attention is not counted");
        assertEquals(-1, bytes.of(otherStep), "no routing for step 4");
        assertEquals(-1, StageBytes.UNKNOWN.of(down0));
        assertEquals(-1, StageBytes.forModel(QWEN_CONFIG, null).withSteps(List.of()).of(down0));

        // repeated experts are read once: 3 distinct of 8 slots
        StageBytes repeated = StageBytes.forModel(QWEN_CONFIG, TYPES).withSteps(List.of(decodeStep(3,
                new int[] {4, 4, 9, 9, 9, 1, 4, 1}, eight, List.of(down0))));
        assertEquals(3 * Q6K_MATRIX, repeated.of(down0));
    }

    @Test
    void theTooltipLineNamesTheTypeAndTheRate() {
        StageSpan down0 = span(3, 0, "moe", "down_q8", 1_000_000); // 1 ms
        StageBytes bytes = StageBytes.forModel(QWEN_CONFIG, TYPES).withSteps(List.of(decodeStep(3,
                new int[] {0, 1, 2, 3, 4, 5, 6, 7}, new int[] {0, 1, 2, 3, 4, 5, 6, 7}, List.of(down0))));
        // 8 x 1,290,240 bytes = 10.32 MB in 1 ms = 10.3 GB/s
        assertEquals("reads 10.32 MB of Q6_K weights \u00b7 10.3 GB/s", bytes.describe(down0));
        assertNull(bytes.describe(span(3, 0, "moe", "quantize_q8", 1000)));

        FlameLayout layout = FlameLayout.of(List.of(down0), false);
        String tip = FlameText.describe(layout, FlameLayout.DEPTH_STAGE, 0, bytes::describe);
        assertTrue(tip.lines().anyMatch("reads 10.32 MB of Q6_K weights \u00b7 10.3 GB/s"::equals), tip);
        assertEquals(FlameText.describe(layout, FlameLayout.DEPTH_STAGE, 0),
                FlameText.describe(layout, FlameLayout.DEPTH_STAGE, 0, s -> null));
    }

    @Test
    void theStageTableSumsBytesPerRowAndGivesTheRate() {
        int[] eight = {0, 1, 2, 3, 4, 5, 6, 7};
        StageSpan downA = span(3, 0, "moe", "down_q8", 1_000_000);
        StageSpan downB = span(3, 1, "moe", "down_q8", 3_000_000);
        StageSpan attention = span(3, 0, "attention", "attn", 1_000);
        StageBytes bytes = StageBytes.forModel(QWEN_CONFIG, TYPES).withSteps(List.of(decodeStep(3, eight, eight,
                List.of(downA, downB, attention))));
        StageSummary summary = StageSummary.of(List.of(downA, downB, attention), bytes::of);
        StageSummary.Row down = summary.rows().stream().filter(r -> r.stage().equals("down_q8")).findFirst().orElseThrow();
        long total = 8 * Q6K_MATRIX + 8 * Q4K_MATRIX;
        assertEquals(total, down.weightBytes());
        assertEquals(total / 2.0, down.meanWeightBytes(), 1e-9);
        assertEquals(total / 4e6, down.gbps(), 1e-9, "bytes over 4 ms, in GB/s");
        StageSummary.Row attn = summary.rows().stream().filter(r -> r.stage().equals("attn")).findFirst().orElseThrow();
        assertTrue(Double.isNaN(attn.meanWeightBytes()));
        assertTrue(Double.isNaN(attn.gbps()));
        assertEquals(-1, StageSummary.of(List.of(downA)).rows().get(0).weightBytes(), "without bytes: unknown");
    }

    /**
     * Qwen3-30B-A3B: hidden 2048, q 32 x 128 = 4096 rows, k and v 4 x 128 = 512 rows, vocabulary 151,936. Q4_K is 144
     * bytes per 256 weights, Q6_K 210: q 4,718,592 + k 589,824 + v (Q6_K) 860,160; o 4,718,592; lm_head (Q6_K)
     * 255,252,480; an embedding row (Q4_K) 1,152.
     */
    @Test
    void projectionsLmHeadAndEmbeddingCountTheirMatricesInTheirTypes() {
        StageBytes bytes = StageBytes.forModel(QWEN_CONFIG, TYPES);
        assertEquals(4_718_592 + 589_824 + 860_160, bytes.of(span(3, 0, "attention", "qkv", 1_000)));
        assertEquals(4_718_592, bytes.of(span(3, 0, "attention", "o_proj", 1_000)));
        assertEquals(255_252_480L, bytes.of(span(3, -1, "model", "lm_head", 1_000)));
        StageSpan embedThree = new StageSpan(0, Phase.PREFILL, -1, "model", "embed", 3, Q8, 0, 1_000);
        assertEquals(3 * 1_152, bytes.of(embedThree));
        assertEquals(-1, bytes.of(span(3, 0, "attention", "attn", 1_000)), "attention over the cache reads no weights");
        assertEquals(-1, bytes.of(span(3, 1, "attention", "qkv", 1_000)), "layer 1's types are not given");
        assertEquals("reads 255.25 MB of Q6_K weights \u00b7 255.3 GB/s",
                bytes.describe(span(3, -1, "model", "lm_head", 1_000_000)));
    }
}
