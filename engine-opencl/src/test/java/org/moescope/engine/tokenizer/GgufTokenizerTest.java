package org.moescope.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A GGUF tokenizer built from the sample model's vocabulary gives exactly what the sample's own tokenizer.json gives,
 * in both directions.
 */
class GgufTokenizerTest {

    /** Text that exercises each alternative of GPT-2's split and the special token. */
    static final List<String> TEXTS = List.of(
            "The experts route tokens.",
            "Hello, world! It's a test; isn't it? We'll see, they've said, I'm sure you'd agree.",
            "  leading spaces, trailing spaces   ",
            "line one\nline two\n\n  indented\r\nwindows\ttab",
            "Numbers: 0 7 42 123 2026 3.14159 1,000,000 and x2y3",
            "Punctuation!!! ... --- (brackets) [square] {curly} <angle> @#$%^&*_+=|\\/~`",
            "Unicode: café naïve Zürich Ελληνικά Русский 日本語 中文 한국어 emoji 😀🚀 e\u0301",
            "story<|endoftext|>next story",
            "<|endoftext|><|endoftext|>",
            "DON'T SHOUT, I'LL STOP",
            "");

    static Path sampleTokenizerJson() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("sample-weights").resolve(TextTokenizer.FILE);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no sample-weights/tokenizer.json above " + Path.of("").toAbsolutePath());
    }

    /**
     * The sample's tokenizer.json as llama.cpp's converter would write it into a GGUF file: tokens by id (the BPE
     * vocabulary plus the added tokens), merges as "a b", added special tokens as control tokens.
     */
    static GgufVocabulary sampleVocabulary(String pre, boolean addBos) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(sampleTokenizerJson())).getAsJsonObject();
        JsonObject model = root.getAsJsonObject("model");
        Map<String, JsonElement> vocab = model.getAsJsonObject("vocab").asMap();
        int size = vocab.size() + root.getAsJsonArray("added_tokens").size();
        String[] tokens = new String[size];
        int[] types = new int[size];
        Arrays.fill(types, 1);
        vocab.forEach((text, id) -> tokens[id.getAsInt()] = text);
        for (JsonElement e : root.getAsJsonArray("added_tokens")) {
            JsonObject added = e.getAsJsonObject();
            int id = added.get("id").getAsInt();
            tokens[id] = added.get("content").getAsString();
            types[id] = added.get("special").getAsBoolean() ? 3 : 4;
        }
        List<String> merges = new ArrayList<>();
        for (JsonElement m : model.getAsJsonArray("merges")) {
            merges.add(m.isJsonArray() ? m.getAsJsonArray().get(0).getAsString() + " "
                    + m.getAsJsonArray().get(1).getAsString() : m.getAsString());
        }
        assertTrue(Arrays.stream(tokens).noneMatch(t -> t == null), "sample ids are dense");
        return new GgufVocabulary("gpt2", pre, List.of(tokens), merges, types, size - 1, size - 1, addBos, null);
    }

    @Test
    void sampleVocabularyEncodesAndDecodesExactlyAsItsTokenizerJson() throws IOException {
        try (TextTokenizer reference = TextTokenizer.load(sampleTokenizerJson());
             TextTokenizer gguf = TextTokenizer.fromGguf(sampleVocabulary("gpt-2", false))) {
            for (String text : TEXTS) {
                int[] ids = reference.encode(text);
                assertArrayEquals(ids, gguf.encode(text), text);
                assertEquals(reference.decode(ids), gguf.decode(ids), text);
            }
            // every id on its own, so each token's text (byte-level mapping, special token) decodes the same way
            for (int id = 0; id < 2048; id++) {
                int[] one = {id};
                assertEquals(reference.decode(one), gguf.decode(one), "id " + id);
            }
        }
    }

    @Test
    void qwen2SplitOnTheSampleVocabularyRoundTripsAndNeverJoinsDigits() throws IOException {
        try (TextTokenizer qwen2 = TextTokenizer.fromGguf(sampleVocabulary("qwen2", false));
             TextTokenizer gpt2 = TextTokenizer.fromGguf(sampleVocabulary("gpt-2", false))) {
            boolean anyDigitRunJoined = false;
            for (String text : TEXTS) {
                int[] ids = qwen2.encode(text);
                assertEquals(Normalizer.normalize(text, Normalizer.Form.NFC), qwen2.decode(ids), text);
                for (int id : ids) {
                    String piece = qwen2.decode(new int[] {id});
                    assertTrue(piece.chars().filter(Character::isDigit).count() <= 1, "'" + piece + "' in " + text);
                }
                for (int id : gpt2.encode(text)) {
                    anyDigitRunJoined |= gpt2.decode(new int[] {id}).chars().filter(Character::isDigit).count() > 1;
                }
            }
            // the sample vocabulary has multi-digit tokens, so the check above is not vacuous
            assertTrue(anyDigitRunJoined, "gpt-2's split keeps digit runs together for BPE to merge");
        }
    }
}
