package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.EngineException;

/** tokenizer.json through DJL's native tokenizers, offline (the native library comes from the jar). */
public class TextTokenizerTest {

    /** A word-level tokenizer: whitespace pre-tokenizer, 6 words, no special tokens added. */
    public static final String WORD_LEVEL = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
             "normalizer": null, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": null,
             "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": false},
             "model": {"type": "WordLevel", "unk_token": "<unk>",
                       "vocab": {"<unk>": 0, "hello": 1, "world": 2, "moe": 3, "experts": 4, "route": 5}}}
            """;

    @TempDir
    Path tmp;

    @Test
    void encodesAndDecodesWithoutAddingSpecialTokens() throws IOException {
        Files.writeString(tmp.resolve(TextTokenizer.FILE), WORD_LEVEL);
        try (TextTokenizer t = TextTokenizer.loadIfPresent(tmp)) {
            assertArrayEquals(new int[] {1, 3, 4, 5, 0}, t.encode("hello moe experts route unknown"));
            assertEquals("hello world", t.decode(new int[] {1, 2}));
            assertEquals("experts", t.decode(new int[] {4}));
        }
    }

    @Test
    void absentFileMeansNoTokenizerAndABrokenOneIsAnError() throws IOException {
        assertNull(TextTokenizer.loadIfPresent(tmp));
        Files.writeString(tmp.resolve(TextTokenizer.FILE), "{\"model\": 42}");
        EngineException e = assertThrows(EngineException.class, () -> TextTokenizer.loadIfPresent(tmp));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    }
}
