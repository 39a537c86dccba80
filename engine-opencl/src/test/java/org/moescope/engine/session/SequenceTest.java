package org.moescope.engine.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.sampling.Sampler;
import org.moescope.engine.tokenizer.TextTokenizer;

/** Streaming text of a sequence with a byte-level BPE tokenizer: characters split across tokens come out whole. */
class SequenceTest {

    @TempDir
    Path tmp;

    /** GPT-2's bytes_to_unicode: byte b is token b, spelled as the printable character HF uses for it. */
    static String byteLevelTokenizer() {
        JsonObject vocab = new JsonObject();
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int cp = printable ? b : 256 + n++;
            vocab.addProperty(new String(Character.toChars(cp)), b);
        }
        String byteLevel = "{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": true}";
        return "{\"version\": \"1.0\", \"truncation\": null, \"padding\": null, \"added_tokens\": [], \"normalizer\": null,"
                + " \"pre_tokenizer\": " + byteLevel + ", \"post_processor\": " + byteLevel + ", \"decoder\": " + byteLevel + ","
                + " \"model\": {\"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null,"
                + " \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"vocab\": " + vocab
                + ", \"merges\": []}}";
    }

    @Test
    void multiByteCharactersAreHeldBackUntilComplete() throws IOException {
        Path file = tmp.resolve("tokenizer.json");
        Files.writeString(file, byteLevelTokenizer());
        String text = "Hé 你好!";
        try (TextTokenizer tokenizer = TextTokenizer.load(file)) {
            int[] ids = tokenizer.encode(text);
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            assertEquals(utf8.length, ids.length, "one token per byte");
            for (int i = 0; i < ids.length; i++) {
                assertEquals(utf8[i] & 0xff, ids[i]);
            }
            Sequence s = new Sequence(0, null, new Sampler(0, 1, 0), 100);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                s.accept(id, false);
                pieces.add(s.nextText(tokenizer));
            }
            assertEquals(text, String.join("", pieces));
            for (String p : pieces) {
                assertFalse(p.contains("\uFFFD"), "no half characters in " + pieces);
            }
            // 'é' is 2 bytes: its first byte yields nothing, its second the whole character
            assertEquals(List.of("H", "", "é", " ", "", "", "你", "", "", "好", "!"), pieces);
            assertArrayEquals(ids, s.tokens());
            assertFalse(s.finished());
        }
    }

    @Test
    void budgetAndEosFinishTheSequence() {
        Sequence s = new Sequence(0, null, new Sampler(0, 1, 0), 2);
        s.accept(5, false);
        assertFalse(s.finished());
        s.accept(6, false);
        assertTrue(s.finished(), "budget of 2");
        Sequence e = new Sequence(1, null, new Sampler(0, 1, 0), 10);
        e.accept(9, true);
        assertTrue(e.finished(), "EOS");
        assertEquals("", e.nextText(null), "no tokenizer, no text");
    }
}
