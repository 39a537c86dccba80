package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.ScoreResult;
import org.moescope.engine.tokenizer.GgufVocabulary;

/**
 * A GGUF file through the session: the bundled BF16 sample model written as GGUF (same bytes, llama.cpp names, the
 * vocabulary ggml embedded in the gguf-sample-q8 fixture) opens by {@code --model x.gguf} and computes exactly what
 * the Hugging Face folder computes, text in and out included.
 */
class GgufSessionTest {

    static final Path SAMPLE = Path.of("../sample-weights");

    @TempDir
    static Path tmp;
    static Path gguf;

    @BeforeAll
    static void convertTheSampleModel() throws IOException {
        GgufVocabulary vocabulary;
        try (GgufFile fixture = GgufFile.open(GgufFixtures.model("gguf-sample-q8"))) {
            vocabulary = GgufVocabularyReader.read(fixture);
        }
        Files.createDirectories(tmp.resolve("only"));
        gguf = SafetensorsToGguf.convert(SAMPLE, vocabulary, tmp.resolve("only").resolve("sample-bf16.gguf"));
    }

    @Test
    void modelArgumentsNameAGgufFileOrAFolderHoldingOne() throws IOException {
        assertEquals(new ModelSource.Gguf(gguf), ModelSource.parse(gguf.toString()));
        assertEquals(new ModelSource.Gguf(gguf), ModelSource.parse(gguf.getParent().toString()));
        assertInstanceOf(ModelSource.Folder.class, ModelSource.parse(SAMPLE.toString()));
        Path split = Files.createDirectories(tmp.resolve("split"));
        for (int i = 1; i <= 3; i++) {
            Files.writeString(split.resolve(String.format("m-%05d-of-00003.gguf", i)), "");
        }
        assertEquals(new ModelSource.Gguf(split.resolve("m-00001-of-00003.gguf")), ModelSource.parse(split.toString()));
        Files.writeString(split.resolve("other.gguf"), "");
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> ModelSource.parse(split.toString()));
        assertTrue(two.getMessage().contains("name the one to open"), two.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ModelSource.parse(tmp.resolve("nope.gguf").toString()));
        assertTrue(missing.getMessage().contains("no such GGUF file"), missing.getMessage());
    }

    @Test
    void theGgufFileComputesExactlyWhatTheFolderComputes() {
        String text = "Once upon a time, a little fox";
        try (InferenceSession folder = InferenceSession.open(new ModelSource.Folder(SAMPLE), new JavaBackend(), null);
             InferenceSession file = InferenceSession.open(ModelSource.parse(gguf.toString()), new JavaBackend(), null)) {
            assertEquals("sample-bf16.gguf", file.modelName());
            assertEquals(folder.config(), file.config());
            assertEquals(folder.weightBytes(), file.weightBytes());
            int[] ids = folder.encode(text);
            assertArrayEquals(ids, file.encode(text));
            ScoreResult a = folder.score(ids, 8, MoeOptions.DEFAULT);
            ScoreResult b = file.score(ids, 8, MoeOptions.DEFAULT);
            assertArrayEquals(a.prefillLogits(), b.prefillLogits());
            assertArrayEquals(a.greedyContinuation(), b.greedyContinuation());
            assertEquals(folder.decode(a.greedyContinuation()), file.decode(b.greedyContinuation()));
        }
    }
}
