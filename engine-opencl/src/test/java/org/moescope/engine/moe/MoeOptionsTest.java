package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The seed's environment parsing (moe_forward.rs tests, FERRUM_* renamed MOESCOPE_*) and the switch set. */
class MoeOptionsTest {

    @Test
    void parsesStartupKnobs() {
        MoeOptions o = MoeOptions.fromEnv(Map.of(
                "MOESCOPE_MOE_FUSED_GATE_UP_SILU", "0",
                "MOESCOPE_MOE_HOST_TOPK", "1",
                "MOESCOPE_MOE_DIRECT_DISPATCH", "1"));
        assertFalse(o.fusedGateUpSilu());
        assertTrue(o.hostTopk());
        assertTrue(o.directDispatch());
        assertFalse(o.indirectDispatch());
    }

    @Test
    void keepsDefaultFastPaths() {
        MoeOptions o = MoeOptions.fromEnv(Map.of(
                "MOESCOPE_MOE_FUSED_GATE_UP_SILU", "1",
                "MOESCOPE_MOE_HOST_TOPK", "0",
                "MOESCOPE_MOE_DIRECT_DISPATCH", "0"));
        assertTrue(o.fusedGateUpSilu());
        assertFalse(o.hostTopk());
        assertFalse(o.directDispatch());
        assertTrue(o.indirectDispatch());
        assertEquals(MoeOptions.DEFAULT, o);
        assertEquals(MoeOptions.DEFAULT, MoeOptions.fromEnv(Map.of()));
    }

    @Test
    void onlyTheExactValuesFlipASwitch() {
        MoeOptions o = MoeOptions.fromEnv(Map.of(
                "MOESCOPE_MOE_FUSED_GATE_UP_SILU", "false",
                "MOESCOPE_MOE_HOST_TOPK", "true",
                "MOESCOPE_MOE_DIRECT_DISPATCH", "yes"));
        assertEquals(MoeOptions.DEFAULT, o, "fused is disabled only by \"0\", the others enabled only by \"1\"");
    }

    @Test
    void profilingIsOnByPresenceWhateverTheValue() {
        assertTrue(MoeOptions.fromEnv(Map.of("MOESCOPE_PROFILE", "")).profiling());
        assertTrue(MoeOptions.fromEnv(Map.of("MOESCOPE_PROFILE", "0")).profiling());
        assertFalse(MoeOptions.fromEnv(Map.of("MOESCOPE_OTHER", "1")).profiling());
    }

    @Test
    void q8ActivationsAreOffByDefaultAndOnOnlyByOne() {
        assertFalse(MoeOptions.DEFAULT.q8Activations());
        assertFalse(MoeOptions.fromEnv(Map.of()).q8Activations());
        assertTrue(MoeOptions.fromEnv(Map.of("MOESCOPE_MOE_Q8_ACTIVATIONS", "1")).q8Activations());
        for (String other : List.of("0", "true", "yes", "")) {
            assertFalse(MoeOptions.fromEnv(Map.of("MOESCOPE_MOE_Q8_ACTIVATIONS", other)).q8Activations(), other);
        }
        MoeOptions o = MoeOptions.fromEnv(Map.of("MOESCOPE_MOE_Q8_ACTIVATIONS", "1", "MOESCOPE_MOE_HOST_TOPK", "1"));
        assertEquals(MoeOptions.DEFAULT.withHostTopk(true).withQ8Activations(true), o,
                "the Q8 switch leaves the others as parsed");
    }

    @Test
    void q8ActivationsSurviveTheOtherWithersAndShowInTheLabel() {
        MoeOptions q8 = MoeOptions.DEFAULT.withQ8Activations(true);
        assertTrue(q8.withFusedGateUpSilu(false).withHostTopk(true).withDirectDispatch(true).withProfiling(true)
                .q8Activations());
        assertFalse(new MoeOptions(true, false, false, true).q8Activations(), "the seed's four-switch constructor");
        assertEquals("fused,device-topk,indirect,q8", q8.label());
        assertEquals("fused,device-topk,indirect", MoeOptions.DEFAULT.label());
        List<MoeOptions> all = MoeOptions.allSwitchCombinations(false, true);
        assertEquals(8, new HashSet<>(all).size());
        assertTrue(all.stream().allMatch(MoeOptions::q8Activations));
        assertTrue(MoeOptions.allSwitchCombinations(true).stream().noneMatch(MoeOptions::q8Activations));
    }

    @Test
    void hostTopkAloneDisablesIndirectDispatch() {
        assertFalse(MoeOptions.DEFAULT.withHostTopk(true).indirectDispatch());
        assertFalse(MoeOptions.DEFAULT.withDirectDispatch(true).indirectDispatch());
    }

    @Test
    void allSwitchCombinationsAreEightDistinctWithTheGivenProfiling() {
        for (boolean profiling : new boolean[] {false, true}) {
            List<MoeOptions> all = MoeOptions.allSwitchCombinations(profiling);
            assertEquals(8, all.size());
            assertEquals(8, new HashSet<>(all).size());
            assertEquals(8, all.stream().map(MoeOptions::label).distinct().count());
            assertTrue(all.stream().allMatch(o -> o.profiling() == profiling));
            assertTrue(all.contains(MoeOptions.DEFAULT.withProfiling(profiling)));
        }
    }
}
