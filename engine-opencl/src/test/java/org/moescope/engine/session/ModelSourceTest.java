package org.moescope.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.tokenizer.TextTokenizerTest;

class ModelSourceTest {

    @TempDir
    Path tmp;

    @Test
    void parsesFoldersPresetsAndConfigFiles() throws IOException {
        assertEquals(new ModelSource.Folder(tmp), ModelSource.parse(tmp.toString()));
        assertEquals(new ModelSource.Synthetic("qwen3-30b-a3b", 0, DType.BF16, 1), ModelSource.parse("qwen3-30b-a3b"));
        Path config = Files.copy(InferenceSessionTest.HF_TINY.resolve("config.json"), tmp.resolve("my.json"));
        assertEquals(new ModelSource.Synthetic(config.toString(), 0, DType.BF16, 1), ModelSource.parse(config.toString()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSource.parse("no-such-model"));
        assertTrue(e.getMessage().contains("qwen3-30b-a3b") && e.getMessage().contains("qwen3-tiny"), e.getMessage());
    }

    @Test
    void nullMeansTheSampleModelFromMoescopeHome() throws IOException {
        String old = System.getProperty(SampleModel.HOME_PROPERTY);
        try {
            System.setProperty(SampleModel.HOME_PROPERTY, tmp.toString());
            EngineException missing = assertThrows(EngineException.class, () -> ModelSource.parse(null));
            assertTrue(missing.getMessage().contains("sample-weights"), missing.getMessage());
            Path weights = Files.createDirectories(tmp.resolve("sample-weights"));
            Files.writeString(weights.resolve("config.json"), "{}");
            assertEquals(new ModelSource.Folder(weights), ModelSource.parse(null));
        } finally {
            if (old == null) {
                System.clearProperty(SampleModel.HOME_PROPERTY);
            } else {
                System.setProperty(SampleModel.HOME_PROPERTY, old);
            }
        }
    }

    @Test
    void syntheticPresetAndConfigFileSessionsRun() throws IOException {
        try (InferenceSession s = InferenceSession.open(new ModelSource.Synthetic("qwen3-tiny", 2, DType.F16, 3),
                new JavaBackend(), null)) {
            assertEquals("qwen3-tiny", s.modelName());
            assertEquals(2, s.config().numHiddenLayers());
            assertTrue(s.config().eosTokenIds().isEmpty(), "synthetic runs use their whole budget");
            s.prefill(new int[] {5, 6, 7}, 2, 3, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            while (!s.finished()) {
                s.step(MoeOptions.DEFAULT, false);
            }
            assertEquals(3, s.generatedTokens().get(1).length);
        }
        Path config = Files.copy(InferenceSessionTest.HF_TINY.resolve("config.json"), tmp.resolve("config.json"));
        try (InferenceSession s = InferenceSession.open(new ModelSource.Synthetic(config.toString(), 0, DType.BF16, 1),
                new JavaBackend(), null)) {
            assertEquals(320, s.config().vocabSize());
        }
    }

    @Test
    void folderWithTokenizerEncodesAndStreamsText() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("tok"));
        for (String f : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(InferenceSessionTest.HF_TINY.resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("tokenizer.json"), TextTokenizerTest.WORD_LEVEL);
        try (InferenceSession s = InferenceSession.open(new ModelSource.Folder(dir), new JavaBackend(), null)) {
            assertTrue(s.hasTokenizer());
            int[] ids = s.encode("hello moe experts");
            assertEquals("hello moe experts", s.decode(ids));
            assertEquals("route", s.tokenText(5));
            // generated ids beyond the tokenizer's 6 words decode to "" pieces; the stream must not fail
            StepResult r = s.prefill(ids, 1, 2, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            assertEquals(1, r.newText().length);
        }
    }
}
