package org.moescope.engine.model.gguf;

import org.moescope.engine.tokenizer.GgufVocabulary;

/** The tokenizer a GGUF file embeds, from llama.cpp's {@code tokenizer.ggml.*} keys. */
public final class GgufVocabularyReader {

    public static final String MODEL = "tokenizer.ggml.model";

    private GgufVocabularyReader() {
    }

    /** The file's vocabulary, or null when it embeds none (no {@code tokenizer.ggml.model}). */
    public static GgufVocabulary read(GgufFile file) {
        if (file.get(MODEL) == null) {
            return null;
        }
        return new GgufVocabulary(
                file.require(MODEL).asString(MODEL),
                string(file, "tokenizer.ggml.pre"),
                file.require("tokenizer.ggml.tokens").asStrings("tokenizer.ggml.tokens"),
                file.get("tokenizer.ggml.merges") == null ? java.util.List.of()
                        : file.get("tokenizer.ggml.merges").asStrings("tokenizer.ggml.merges"),
                file.get("tokenizer.ggml.token_type") == null ? null
                        : file.get("tokenizer.ggml.token_type").asInts("tokenizer.ggml.token_type"),
                id(file, "tokenizer.ggml.bos_token_id"),
                id(file, "tokenizer.ggml.eos_token_id"),
                file.get("tokenizer.ggml.add_bos_token") != null
                        && file.get("tokenizer.ggml.add_bos_token").asBool("tokenizer.ggml.add_bos_token"),
                string(file, "tokenizer.chat_template"));
    }

    private static String string(GgufFile file, String key) {
        GgufValue v = file.get(key);
        return v == null ? null : v.asString(key);
    }

    private static Integer id(GgufFile file, String key) {
        GgufValue v = file.get(key);
        return v == null ? null : v.asInt(key);
    }
}
