package org.moescope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.StepResult;

/** What the profiled spans of one step must hold: every stage of every layer (the session API's stage names). */
final class StageExpectations {
    /** Decode (batch 1) fuses the final norm into the last layer's wsum (see Transformer). */
    static Set<String> modelStages(StepResult step) {
        return step.phase() == Phase.DECODE ? Set.of("embed", "lm_head") : Set.of("embed", "final_norm", "lm_head");
    }

    static final Set<String> ATTENTION_STAGES = Set.of("qkv", "qk_norm", "rope", "attn", "o_proj", "residual");
    /** The residual add after the FFN, timed in the FFN block where it is not fused into wsum. */
    static final Set<String> OPTIONAL_FFN_STAGES = Set.of("residual");

    private StageExpectations() {
    }

    /** The MoE stages of a step that ran with the fused switch as given. */
    static Set<String> moeStages(StepResult step) {
        if (step.phase() == Phase.PREFILL) {
            return Set.of("router", step.options().hostTopk() ? "host_topk" : "route_ids", "gate", "up", "silu", "down", "wsum");
        }
        return step.options().fusedGateUpSilu()
                ? Set.of("router", "route", "gate_up_silu", "down", "wsum")
                : Set.of("router", "route", "gate", "up", "silu", "down", "wsum");
    }

    static Set<String> stages(StepResult step, int layer, String block) {
        return step.spans().stream().filter(s -> s.layer() == layer && s.block().equals(block))
                .map(s -> s.stage()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every layer has attention stages and its MoE (or dense MLP) stages; the model-level stages are there. */
    static void assertEveryStageOfEveryLayer(ModelConfig config, StepResult step) {
        assertFalse(step.spans().isEmpty(), "step " + step.step() + " has spans");
        assertTrue(stages(step, -1, "model").equals(modelStages(step)), "model stages of step " + step.step() + ": " + stages(step, -1, "model"));
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            Set<String> attention = stages(step, layer, "attention");
            assertTrue(attention.containsAll(ATTENTION_STAGES), "attention stages of layer " + layer + ": " + attention);
            // decode fuses a layer's input norm into the previous layer's wsum (see Transformer)
            boolean normFused = step.phase() == Phase.DECODE && layer > 0;
            assertEquals(!normFused, attention.contains("input_norm"), "input_norm of layer " + layer + " at " + step.phase());
            if (config.isMoeLayer(layer)) {
                Set<String> moe = stages(step, layer, "moe");
                assertTrue(moe.containsAll(moeStages(step)), "MoE stages of layer " + layer + " at step " + step.step() + ": " + moe);
                Set<String> extra = new TreeSet<>(moe);
                extra.removeAll(moeStages(step));
                extra.removeAll(OPTIONAL_FFN_STAGES);
                assertTrue(extra.isEmpty(), "unexpected MoE stages " + extra + " at layer " + layer);
            } else {
                assertFalse(stages(step, layer, "mlp").isEmpty(), "dense MLP stages of layer " + layer);
            }
        }
        for (var span : step.spans()) {
            assertEquals(step.step(), span.step());
            assertEquals(step.options(), span.options(), "each span keeps the switches of its step");
            assertTrue(span.endNanos() >= span.startNanos());
        }
    }
}
