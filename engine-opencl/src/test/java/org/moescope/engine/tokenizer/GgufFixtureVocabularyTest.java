package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufValue;

/**
 * The tokenizer ggml wrote into the gguf-sample-q8 fixture (llama.cpp's {@code tokenizer.ggml.*} keys) is the sample
 * model's tokenizer.json: the same tokens, merges and special token, and the same ids and text both ways.
 */
class GgufFixtureVocabularyTest {

    static final Path SAMPLE_Q8 = Path.of("src/test/resources/org/moescope/engine/gguf/gguf-sample-q8/model.gguf");

    /** The tokenizer keys as llama.cpp reads them. */
    static GgufVocabulary read(GgufFile file) {
        GgufValue pre = file.get("tokenizer.ggml.pre");
        GgufValue types = file.get("tokenizer.ggml.token_type");
        GgufValue bos = file.get("tokenizer.ggml.bos_token_id");
        GgufValue eos = file.get("tokenizer.ggml.eos_token_id");
        GgufValue addBos = file.get("tokenizer.ggml.add_bos_token");
        GgufValue template = file.get("tokenizer.chat_template");
        return new GgufVocabulary(
                file.require("tokenizer.ggml.model").asString("tokenizer.ggml.model"),
                pre == null ? null : pre.asString("tokenizer.ggml.pre"),
                file.require("tokenizer.ggml.tokens").asStrings("tokenizer.ggml.tokens"),
                file.require("tokenizer.ggml.merges").asStrings("tokenizer.ggml.merges"),
                types == null ? null : types.asInts("tokenizer.ggml.token_type"),
                bos == null ? null : bos.asInt("tokenizer.ggml.bos_token_id"),
                eos == null ? null : eos.asInt("tokenizer.ggml.eos_token_id"),
                addBos != null && addBos.asBool("tokenizer.ggml.add_bos_token"),
                template == null ? null : template.asString("tokenizer.chat_template"));
    }

    @Test
    void sampleFixtureCarriesTheSampleTokenizer() throws IOException {
        GgufVocabulary fromFile;
        try (GgufFile file = GgufFile.open(SAMPLE_Q8)) {
            fromFile = read(file);
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
