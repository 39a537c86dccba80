package org.moescope.engine.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.moescope.engine.backend.EngineException;

/**
 * The pre-tokenizer splits llama.cpp selects by {@code tokenizer.ggml.pre}, written as the Hugging Face
 * normalizer and pre-tokenizer that split the same way (llama.cpp compiles its regexes in; the file only names them).
 */
enum GgufPreTokenizer {
    /**
     * GPT-2's split: {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, which is
     * Hugging Face's ByteLevel default regex. llama.cpp's list lacks the final {@code \s+}, but its splitter keeps
     * unmatched text as a piece of its own, which is what that alternative yields.
     */
    GPT2("gpt-2"),
    /**
     * Qwen2's split (Qwen2, Qwen2.5 and Qwen3 files): contractions in any case, one digit per piece, a letter run
     * may take one leading non-letter, punctuation keeps its trailing newlines; NFC first, as Qwen's tokenizer.json.
     */
    QWEN2("qwen2");

    /** Qwen's tokenizer.json Split pattern; llama.cpp runs the same regex with (?i:...) spelled out per letter. */
    static final String QWEN2_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    final String ggufName;

    GgufPreTokenizer(String ggufName) {
        this.ggufName = ggufName;
    }

    /** The split for a {@code tokenizer.ggml.pre} value; absent means llama.cpp's default, GPT-2's. */
    static GgufPreTokenizer of(String pre) {
        if (pre == null) {
            return GPT2;
        }
        for (GgufPreTokenizer p : values()) {
            if (p.ggufName.equals(pre)) {
                return p;
            }
        }
        throw new EngineException("GGUF tokenizer.ggml.pre '" + pre + "' is not supported; supported: "
                + Arrays.stream(values()).map(p -> p.ggufName).collect(Collectors.joining(", ")));
    }

    JsonElement normalizer() {
        if (this == GPT2) {
            return JsonNull.INSTANCE;
        }
        JsonObject nfc = new JsonObject();
        nfc.addProperty("type", "NFC");
        return nfc;
    }

    JsonObject preTokenizer() {
        if (this == GPT2) {
            return GgufTokenizerJson.byteLevel(true);
        }
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", QWEN2_REGEX);
        JsonObject split = new JsonObject();
        split.addProperty("type", "Split");
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        JsonArray steps = new JsonArray();
        steps.add(split);
        steps.add(GgufTokenizerJson.byteLevel(false));
        JsonObject sequence = new JsonObject();
        sequence.addProperty("type", "Sequence");
        sequence.add("pretokenizers", steps);
        return sequence;
    }
}
