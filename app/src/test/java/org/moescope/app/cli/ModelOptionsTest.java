package org.moescope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.moescope.engine.moe.MoeOptions;

/** The switches of generate and score: flags on top of the MOESCOPE_* environment. */
class ModelOptionsTest {

    private static MoeOptions switches(Map<String, String> env, String... flags) {
        String[] argv = new String[flags.length + 1];
        argv[0] = "generate";
        System.arraycopy(flags, 0, argv, 1, flags.length);
        CliArgs args = CliArgs.parse("generate", argv, 1, ModelOptions.VALUED, ModelOptions.SWITCHES);
        return ModelOptions.switches(args, env);
    }

    @Test
    void q8ActivationsComeFromTheFlagOrTheEnvironment() {
        assertFalse(switches(Map.of()).q8Activations());
        assertEquals(MoeOptions.DEFAULT.withQ8Activations(true), switches(Map.of(), "--q8-activations"));
        assertEquals(MoeOptions.DEFAULT.withQ8Activations(true),
                switches(Map.of(MoeOptions.ENV_Q8_ACTIVATIONS, "1")));
        assertFalse(switches(Map.of(MoeOptions.ENV_Q8_ACTIVATIONS, "0")).q8Activations());
        assertTrue(switches(Map.of(MoeOptions.ENV_Q8_ACTIVATIONS, "0"), "--q8-activations").q8Activations(),
                "a flag turns its switch on whatever the environment says");
    }

    @Test
    void theOtherFlagsKeepTheirMeaningBesideQ8() {
        MoeOptions o = switches(Map.of(), "--q8-activations", "--no-fused-gate-up-silu", "--host-topk",
                "--direct-dispatch", "--profile");
        assertEquals(new MoeOptions(false, true, true, true, true), o);
        assertEquals(new MoeOptions(false, true, false, false, false),
                switches(Map.of(MoeOptions.ENV_FUSED, "0", MoeOptions.ENV_HOST_TOPK, "1")));
    }

    @Test
    void theHelpNamesTheSwitch() {
        assertTrue(GenerateCommand.USAGE.contains("--q8-activations"));
        assertTrue(ScoreCommand.USAGE.contains("--q8-activations"));
        assertTrue(BenchCommand.USAGE.contains("--q8-activations"));
        assertTrue(ModelOptions.HELP.contains(MoeOptions.ENV_Q8_ACTIVATIONS.substring("MOESCOPE_MOE_".length())));
    }
}
