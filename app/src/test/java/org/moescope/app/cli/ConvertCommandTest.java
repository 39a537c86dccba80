package org.moescope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.app.cli.CliTest.Run;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;

class ConvertCommandTest {

    @Test
    void aSyntheticPresetIsWrittenInTheRequestedTypeAndOpensAgain(@TempDir Path tmp) {
        Path out = tmp.resolve("tiny.gguf");
        Run run = CliTest.cli("convert", "--model", "qwen3-tiny", "--layers", "1", "--type", "Q8_0", "--device", "java",
                "--to-gguf", out.toString());
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("wrote " + out), run.out());
        try (InferenceSession s = InferenceSession.open(new ModelSource.Gguf(out), new JavaBackend(), null)) {
            // qwen3-tiny's expert FFN (40) is not whole 32-blocks: down falls back to F16, as WeightTypePlan says
            assertEquals("experts Q8_0/F16, attention Q8_0", s.weightTypes().summary().replaceAll(", embedding.*", ""));
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingLoads(@TempDir Path tmp) {
        Run folder = CliTest.cli("convert", "--model", "qwen3-tiny", "--to-gguf", tmp.toString());
        assertEquals(2, folder.code());
        assertTrue(folder.err().contains("is a folder"), folder.err());
        Run missingDir = CliTest.cli("convert", "--to-gguf", tmp.resolve("no/such/dir/x.gguf").toString());
        assertEquals(2, missingDir.code());
        assertTrue(missingDir.err().contains("does not exist"), missingDir.err());
        Run badType = CliTest.cli("convert", "--to-gguf", tmp.resolve("x.gguf").toString(), "--type", "Q9");
        assertEquals(2, badType.code());
        assertTrue(badType.err().contains("Q8_0"), "lists the supported types: " + badType.err());
        Run noTarget = CliTest.cli("convert", "--model", "qwen3-tiny");
        assertEquals(2, noTarget.code());
        assertTrue(noTarget.err().contains("--to-gguf is required"), noTarget.err());
        assertFalse(Files.exists(tmp.resolve("x.gguf")));
    }

    @Test
    void helpListsTheOptions() {
        Run help = CliTest.cli("convert", "--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--to-gguf FILE") && help.out().contains("--type T"), help.out());
    }
}
