package org.moescope.app.view.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.bench.StageWork;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;

class MoeStagePathTest {

    private static List<String> names(List<MoeStagePath.Stage> stages) {
        return stages.stream().map(MoeStagePath.Stage::name).toList();
    }

    @Test
    void decodeStagesFollowTheFusedSwitch() {
        MoeOptions fused = MoeOptions.DEFAULT;
        List<MoeStagePath.Stage> f = MoeStagePath.of(Phase.DECODE, fused, 2048, 768, 128, 8, 1, true);
        assertEquals(List.of("router", "route", "gate_up_silu", "down", "wsum"), names(f));
        assertEquals("[1, 2048]", f.get(0).input());
        assertEquals("[1, 128]", f.get(0).output());
        assertEquals("8 \u00d7 [768]", f.get(2).output());
        assertEquals("8 \u00d7 [2048]", f.get(3).output());
        assertEquals("[1, 2048]", f.get(4).output());
        List<MoeStagePath.Stage> u = MoeStagePath.of(Phase.BATCHED_DECODE, fused.withFusedGateUpSilu(false), 2048, 768, 128, 8, 4, true);
        assertEquals(List.of("router", "route", "gate", "up", "silu", "down", "wsum"), names(u));
        assertTrue(u.get(0).operation().contains("[4, 2048]"));
    }

    @Test
    void prefillStagesFollowTheRoutingSwitches() {
        List<MoeStagePath.Stage> device = MoeStagePath.of(Phase.PREFILL, MoeOptions.DEFAULT, 0, 0, 0, 2, 12, false);
        assertEquals(List.of("router", "route_ids", "gate", "up", "silu", "down", "wsum"), names(device));
        assertTrue(device.get(1).operation().contains("indirect"));
        assertTrue(device.get(1).operation().contains("raw softmax"));
        assertEquals("[1, h]", device.get(0).input());
        assertEquals("2 \u00d7 [I]", device.get(2).output());
        List<MoeStagePath.Stage> host = MoeStagePath.of(Phase.PREFILL, MoeOptions.DEFAULT.withHostTopk(true), 0, 0, 0, 2, 12, true);
        assertEquals("host_topk", host.get(1).name());
        assertTrue(host.get(1).operation().contains("direct"));
        assertEquals("[1, 2048] \u2192 8 \u00d7 [768] \u2192 [2048]", MoeStagePath.summary(2048, 768, 8));
    }

    @Test
    void q8ActivationsAddTheirStagesOnlyOnQuantizedExperts() {
        MoeOptions q8 = MoeOptions.DEFAULT.withQ8Activations(true);
        List<MoeStagePath.Stage> d = MoeStagePath.of(Phase.DECODE, q8, true, 2048, 768, 128, 8, 1, true);
        assertEquals(List.of("router", "route", "quantize_q8", "gate_up_silu_q8", "quantize_q8_down", "down_q8", "wsum"),
                names(d));
        assertEquals("[1, 2048] Q8_0", d.get(2).output());
        assertEquals("[1, 2048] Q8_0", d.get(3).input());
        assertEquals("8 \u00d7 [768] Q8_0", d.get(5).input());
        assertTrue(d.get(3).operation().contains("integer dot products"));
        assertEquals(names(MoeStagePath.of(Phase.DECODE, MoeOptions.DEFAULT, 2048, 768, 128, 8, 1, true)),
                names(MoeStagePath.of(Phase.DECODE, q8, false, 2048, 768, 128, 8, 1, true)),
                "float experts: the switch changes nothing");
    }

    @Test
    void theInspectorNamesTheStagesTheBlockTimes() {
        for (Phase phase : Phase.values()) {
            for (boolean q8 : new boolean[] {false, true}) {
                for (MoeOptions options : MoeOptions.allSwitchCombinations(false, q8)) {
                    for (boolean quantized : new boolean[] {false, true}) {
                        assertEquals(StageWork.stagesOf(phase, options, quantized),
                                names(MoeStagePath.of(phase, options, quantized, 0, 0, 0, 8, 4, true)),
                                phase + " " + options.label() + " quantized=" + quantized);
                    }
                }
            }
        }
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> MoeStagePath.of(Phase.DECODE, MoeOptions.DEFAULT, 1, 1, 1, 0, 1, true));
        assertThrows(IllegalArgumentException.class, () -> MoeStagePath.of(Phase.DECODE, MoeOptions.DEFAULT, 1, 1, 1, 1, 0, true));
    }
}
