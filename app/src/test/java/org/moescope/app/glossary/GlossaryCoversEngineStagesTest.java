package org.moescope.app.glossary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;

/**
 * Every stage name the engine emits has a glossary entry. The names are collected from the engine itself: a tiny
 * model with a dense layer and quantized experts runs prefill, decode and batched decode on the Java backend under
 * every switch combination, with and without Q8 activations, and the profiled spans are gathered. A new stage (or a
 * renamed one) without an entry fails here.
 */
class GlossaryCoversEngineStagesTest {

    /** "block/stage" of every span seen. */
    private static final Set<String> EMITTED = new TreeSet<>();
    private static final Set<Phase> PHASES = new TreeSet<>();

    @TempDir
    static Path dir;

    @BeforeAll
    static void runEveryPath() throws Exception {
        // Qwen3-MoE shape small enough for the Java backend; sizes multiples of 32 so Q8_0 activations apply to the
        // experts; layer 1 dense so the "mlp" block's stages appear too
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": 16, "moe_intermediate_size": 32, "intermediate_size": 64,
                 "num_experts": 8, "num_experts_per_tok": 2, "norm_topk_prob": true, "mlp_only_layers": [1],
                 "vocab_size": 301, "max_position_embeddings": 128, "eos_token_id": 0}
                """);
        List<MoeOptions> all = new ArrayList<>(MoeOptions.allSwitchCombinations(true, false));
        all.addAll(MoeOptions.allSwitchCombinations(true, true));
        try (InferenceSession session = InferenceSession.open(
                new ModelSource.Synthetic(config.toString(), 0, DType.Q8_0, 1), new JavaBackend(), null)) {
            int[] prompt = {5, 17, 42, 7};
            for (MoeOptions options : all) {
                for (int batch : new int[] {1, 2}) {
                    collect(session.prefill(prompt, batch, 2, SamplingSettings.GREEDY, options, false));
                    collect(session.step(options, false));
                }
            }
        }
    }

    private static void collect(StepResult step) {
        PHASES.add(step.phase());
        for (StageSpan s : step.spans()) {
            EMITTED.add(s.block() + "/" + s.stage());
        }
    }

    @Test
    void theRunCoversEveryPathAndSwitch() {
        // the enumeration is only worth something if it reached the paths the names depend on
        assertEquals(Set.of(Phase.values()), PHASES, "phases run");
        for (String expected : List.of("moe/gate_up_silu", "moe/gate_up_silu_q8", "moe/host_topk", "moe/route_ids",
                "moe/quantize_q8", "moe/quantize_q8_down", "mlp/gate", "model/lm_head", "attention/attn")) {
            assertTrue(EMITTED.contains(expected), expected + " among " + EMITTED);
        }
    }

    @Test
    void everyEmittedStageHasAnEntry() {
        List<String> missing = new ArrayList<>();
        for (String blockStage : EMITTED) {
            String[] parts = blockStage.split("/");
            if (Glossary.stage(parts[0], parts[1]) == null) {
                missing.add(blockStage);
            }
            if (Glossary.block(parts[0]) == null) {
                missing.add("block " + parts[0]);
            }
        }
        assertTrue(missing.isEmpty(), "stages without a glossary entry in " + Glossary.RESOURCE + ": " + missing);
    }

    @Test
    void everyPhaseHasAnEntry() {
        for (Phase p : Phase.values()) {
            assertNotNull(Glossary.phase(p.label()), p.label());
        }
    }
}
