package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.Phase;

class StageWorkTest {
    private static final MoeShape QWEN = BenchSettings.QWEN3_30B_A3B;

    @Test
    void decodeGateReadsOneMatrixPerDistinctExpert() {
        // one BF16 gate matrix: 768 x 2048 x 2 bytes = 3 MiB; decode touches k = 8 experts
        StageWork gate = StageWork.of("gate", QWEN, DType.BF16, DType.BF16, 1, 8);
        assertEquals(8L * 768 * 2048 * 2, gate.weightBytes());
        assertEquals(25_165_824L, gate.weightBytes());
        assertEquals(2.0 * 8 * 768 * 2048, gate.flops());
        assertTrue(gate.modelled());
    }

    @Test
    void fusedGateUpSiluCountsBothMatricesAndBothProducts() {
        StageWork fused = StageWork.of("gate_up_silu", QWEN, DType.F16, DType.F16, 4, 20);
        StageWork gate = StageWork.of("gate", QWEN, DType.F16, DType.F16, 4, 20);
        StageWork up = StageWork.of("up", QWEN, DType.F16, DType.F16, 4, 20);
        assertEquals(gate.weightBytes() + up.weightBytes(), fused.weightBytes());
        assertEquals(gate.flops() + up.flops(), fused.flops());
    }

    @Test
    void prefillBytesDependOnDistinctExpertsNotOnPairs() {
        // T = 512 pairs = 4096 but only 128 experts exist: the weights read are bounded by the expert count
        StageWork down = StageWork.of("down", QWEN, DType.F32, DType.F32, 512, 128);
        assertEquals(128L * 2048 * 768 * 4, down.weightBytes());
        assertEquals(2.0 * 512 * 8 * 768 * 2048, down.flops());
    }

    @Test
    void routerReadsTheWholeRouterWhateverTheRouting() {
        StageWork router = StageWork.of("router", QWEN, DType.BF16, DType.F32, 32, 100);
        assertEquals(128L * 2048 * 4, router.weightBytes());
        assertEquals(2.0 * 32 * 2048 * 128, router.flops());
    }

    @Test
    void routingAndElementwiseStagesReadNoWeights() {
        for (String stage : List.of("route", "route_ids", "host_topk", "silu")) {
            StageWork w = StageWork.of(stage, QWEN, DType.BF16, DType.BF16, 16, 50);
            assertEquals(0, w.weightBytes(), stage);
            assertEquals(0, w.flops(), stage);
            assertTrue(w.modelled(), stage);
        }
        StageWork wsum = StageWork.of("wsum", QWEN, DType.BF16, DType.BF16, 16, 50);
        assertEquals(0, wsum.weightBytes());
        assertEquals(2.0 * 16 * 8 * 2048, wsum.flops());
    }

    @Test
    void unknownStagesAreMarkedNotModelled() {
        StageWork w = StageWork.of("attention", QWEN, DType.BF16, DType.BF16, 1, 8);
        assertFalse(w.modelled());
        assertEquals(0, w.weightBytes());
    }

    @Test
    void layerTotalsAreTheSumOfTheStages() {
        int tokens = 128;
        int distinct = 117;
        long bytes = 0;
        double flops = 0;
        for (String stage : StageWork.stagesOf(Phase.PREFILL, MoeOptions.DEFAULT)) {
            StageWork w = StageWork.of(stage, QWEN, DType.BF16, DType.BF16, tokens, distinct);
            bytes += w.weightBytes();
            flops += w.flops();
        }
        assertEquals(bytes, StageWork.layerWeightBytes(QWEN, DType.BF16, DType.BF16, distinct));
        assertEquals(flops, StageWork.layerFlops(QWEN, tokens), 1e-3);
    }

    @Test
    void quantizedWeightsCountInTheirStoredBlocks() {
        // Q4_K: 144 bytes per 256 weights, so one 768 x 2048 matrix is 6144 blocks = 884,736 bytes (4.5 bits a weight);
        // Q6_K: 210 bytes per 256 = 1,290,240 bytes; Q8_0: 34 bytes per 32
        StageWork gate = StageWork.of("gate", QWEN, DType.Q4_K, DType.Q6_K, DType.Q8_0, 1, 8);
        assertEquals(8L * 884_736, gate.weightBytes());
        StageWork down = StageWork.of("down", QWEN, DType.Q4_K, DType.Q6_K, DType.Q8_0, 1, 8);
        assertEquals(8L * 1_290_240, down.weightBytes());
        StageWork fused = StageWork.of("gate_up_silu", QWEN, DType.Q4_K, DType.Q6_K, DType.Q8_0, 1, 8);
        assertEquals(2L * 8 * 884_736, fused.weightBytes());
        StageWork router = StageWork.of("router", QWEN, DType.Q4_K, DType.Q6_K, DType.Q8_0, 1, 8);
        assertEquals(128L * 2048 / 32 * 34, router.weightBytes());
        assertEquals(router.weightBytes() + 8L * (2 * 884_736 + 1_290_240),
                StageWork.layerWeightBytes(QWEN, DType.Q4_K, DType.Q6_K, DType.Q8_0, 8));
    }

    @Test
    void q8StagesReadTheSameWeightsAsTheirFloatActivationTwins() {
        for (String stage : List.of("gate", "up", "down", "gate_up_silu")) {
            StageWork floatX = StageWork.of(stage, QWEN, DType.Q8_0, DType.Q8_0, 4, 20);
            StageWork q8X = StageWork.of(stage + "_q8", QWEN, DType.Q8_0, DType.Q8_0, 4, 20);
            assertEquals(floatX, q8X, stage);
            assertTrue(q8X.weightBytes() > 0, stage);
        }
        for (String stage : List.of("quantize_q8", "quantize_q8_down")) {
            StageWork w = StageWork.of(stage, QWEN, DType.Q8_0, DType.Q8_0, 4, 20);
            assertTrue(w.modelled(), stage);
            assertEquals(0, w.weightBytes(), stage);
        }
        assertFalse(StageWork.of("wsum_q8", QWEN, DType.Q8_0, DType.Q8_0, 4, 20).modelled());
    }

    @Test
    void q8LayerTotalsAreTheSumOfTheStages() {
        int distinct = 60;
        long bytes = 0;
        for (String stage : StageWork.stagesOf(Phase.PREFILL, MoeOptions.DEFAULT.withQ8Activations(true), true)) {
            bytes += StageWork.of(stage, QWEN, DType.Q4_K, DType.Q6_K, DType.F32, 64, distinct).weightBytes();
        }
        assertEquals(StageWork.layerWeightBytes(QWEN, DType.Q4_K, DType.Q6_K, DType.F32, distinct), bytes);
    }

    @Test
    void distinctExpertsCountsEachExpertOnce() {
        int[] ids = {3, 5, 3, 7, 5, 5, 0, 9};
        assertEquals(5, StageWork.distinctExperts(ids, ids.length, 10));
        assertEquals(2, StageWork.distinctExperts(ids, 3, 10));
        assertEquals(0, StageWork.distinctExperts(ids, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> StageWork.distinctExperts(ids, ids.length, 8));
        assertThrows(IllegalArgumentException.class, () -> StageWork.distinctExperts(new int[] {-1}, 1, 8));
    }

    @Test
    void impossibleDistinctCountsAreRefused() {
        // decode has 8 pairs: more than 8 distinct experts cannot happen
        assertThrows(IllegalArgumentException.class, () -> StageWork.of("gate", QWEN, DType.F32, DType.F32, 1, 9));
        assertThrows(IllegalArgumentException.class, () -> StageWork.of("gate", QWEN, DType.F32, DType.F32, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> StageWork.of("gate", QWEN, DType.F32, DType.F32, 0, 1));
    }

    @Test
    void stageListsFollowThePathAndTheSwitches() {
        assertEquals(List.of("router", "route", "gate_up_silu", "down", "wsum"),
                StageWork.stagesOf(Phase.DECODE, MoeOptions.DEFAULT));
        assertEquals(List.of("router", "route", "gate", "up", "silu", "down", "wsum"),
                StageWork.stagesOf(Phase.BATCHED_DECODE, MoeOptions.DEFAULT.withFusedGateUpSilu(false)));
        assertEquals(List.of("router", "route_ids", "gate", "up", "silu", "down", "wsum"),
                StageWork.stagesOf(Phase.PREFILL, MoeOptions.DEFAULT));
        assertEquals(List.of("router", "host_topk", "gate", "up", "silu", "down", "wsum"),
                StageWork.stagesOf(Phase.PREFILL, MoeOptions.DEFAULT.withHostTopk(true)));
    }

    @Test
    void q8ActivationsNameTheirStagesOnlyOnQuantizedExperts() {
        MoeOptions q8 = MoeOptions.DEFAULT.withQ8Activations(true);
        assertEquals(List.of("router", "route", "quantize_q8", "gate_up_silu_q8", "quantize_q8_down", "down_q8", "wsum"),
                StageWork.stagesOf(Phase.DECODE, q8, true));
        assertEquals(List.of("router", "route", "quantize_q8", "gate_q8", "up_q8", "silu", "quantize_q8_down",
                "down_q8", "wsum"), StageWork.stagesOf(Phase.BATCHED_DECODE, q8.withFusedGateUpSilu(false), true));
        assertEquals(List.of("router", "host_topk", "quantize_q8", "gate_q8", "up_q8", "silu", "quantize_q8_down",
                "down_q8", "wsum"), StageWork.stagesOf(Phase.PREFILL, q8.withHostTopk(true), true));
        for (Phase phase : Phase.values()) {
            assertEquals(StageWork.stagesOf(phase, MoeOptions.DEFAULT), StageWork.stagesOf(phase, q8, false),
                    "float experts: the switch changes nothing");
            assertEquals(StageWork.stagesOf(phase, MoeOptions.DEFAULT), StageWork.stagesOf(phase, MoeOptions.DEFAULT, true));
        }
    }
}
