package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufVocabularyReader;

/**
 * The tokenizer ggml wrote into the gguf-sample-q8 fixture (llama.cpp's {@code tokenizer.ggml.*} keys), as
 * {@link GgufVocabularyReader} reads it, is the sample model's tokenizer.json: the same tokens, merges and special
 * token, and the same ids and text both ways.
 */
class GgufFixtureVocabularyTest {

    static final Path SAMPLE_Q8 = Path.of("src/test/resources/org/moescope/engine/gguf/gguf-sample-q8/model.gguf");

    @Test
    void sampleFixtureCarriesTheSampleTokenizer() throws IOException {
        GgufVocabulary fromFile;
        try (GgufFile file = GgufFile.open(SAMPLE_Q8)) {
            fromFile = GgufVocabularyReader.read(file);
        }
        GgufVocabulary fromJson = GgufTokenizerTest.sampleVocabulary("gpt-2", false);
        assertEquals("gpt2", fromFile.model());
        assertEquals("gpt-2", fromFile.pre());
        assertEquals(fromJson.tokens(), fromFile.tokens());
        assertEquals(fromJson.merges(), fromFile.merges());
        assertArrayEquals(fromJson.tokenTypes(), fromFile.tokenTypes());
        assertEquals(2047, fromFile.eosId());
        assertFalse(fromFile.addBos());

        try (TextTokenizer reference = TextTokenizer.load(GgufTokenizerTest.sampleTokenizerJson());
             TextTokenizer gguf = TextTokenizer.fromGguf(fromFile)) {
            for (String text : GgufTokenizerTest.TEXTS) {
                int[] ids = reference.encode(text);
                assertArrayEquals(ids, gguf.encode(text), text);
                assertEquals(reference.decode(ids), gguf.decode(ids), text);
            }
        }
    }
}
