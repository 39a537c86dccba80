package org.moescope.engine.tokenizer;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import org.moescope.engine.backend.EngineException;

/**
 * The Hugging Face {@code tokenizer.json} equivalent to a GGUF file's embedded tokenizer, so that one tokenizer
 * implementation (Rust tokenizers through DJL) serves both model formats.
 *
 * <p>Byte-level BPE: the model's vocabulary holds the normal tokens, control tokens (type 3) become special added
 * tokens and user-defined tokens (type 4) non-special added tokens, both matched in the raw text before the
 * pre-tokenizer runs, as llama.cpp does. The pre-tokenizer comes from {@code tokenizer.ggml.pre} (see
 * {@link GgufPreTokenizer}); BOS is prepended by a post-processor when {@code add_bos_token} is true.
 */
final class GgufTokenizerJson {

    /** llama.cpp's token types that are matched as whole added tokens. */
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;

    /** {@code tokenizer.ggml.model} values this builder understands. */
    static final String MODEL_GPT2 = "gpt2";

    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    private GgufTokenizerJson() {
    }

    /** The tokenizer.json text for {@code vocab}; throws EngineException for a model or pre-tokenizer it cannot map. */
    static String of(GgufVocabulary vocab) {
        if (!MODEL_GPT2.equals(vocab.model())) {
            throw new EngineException("GGUF tokenizer.ggml.model '" + vocab.model() + "' is not supported: only '"
                    + MODEL_GPT2 + "' (byte-level BPE) is");
        }
        GgufPreTokenizer pre = GgufPreTokenizer.of(vocab.pre());
        int[] types = vocab.tokenTypes();
        if (types != null && types.length != vocab.tokens().size()) {
            throw new EngineException("GGUF tokenizer.ggml.token_type has " + types.length + " entries for "
                    + vocab.tokens().size() + " tokens; expected one per token");
        }

        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        root.add("added_tokens", addedTokens(vocab));
        root.add("normalizer", pre.normalizer());
        root.add("pre_tokenizer", pre.preTokenizer());
        root.add("post_processor", postProcessor(vocab));
        root.add("decoder", byteLevel(false));
        root.add("model", bpeModel(vocab));
        return GSON.toJson(root);
    }

    private static boolean isAdded(GgufVocabulary vocab, int id) {
        int[] types = vocab.tokenTypes();
        return types != null && (types[id] == TYPE_CONTROL || types[id] == TYPE_USER_DEFINED);
    }

    private static JsonArray addedTokens(GgufVocabulary vocab) {
        JsonArray added = new JsonArray();
        for (int id = 0; id < vocab.tokens().size(); id++) {
            if (!isAdded(vocab, id)) {
                continue;
            }
            JsonObject t = new JsonObject();
            t.addProperty("id", id);
            t.addProperty("content", vocab.tokens().get(id));
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", vocab.tokenTypes()[id] == TYPE_CONTROL);
            added.add(t);
        }
        return added;
    }

    /** BPE over the byte-level alphabet; a token text seen twice keeps its first id (a JSON object has one key each). */
    private static JsonObject bpeModel(GgufVocabulary vocab) {
        JsonObject ids = new JsonObject();
        for (int id = 0; id < vocab.tokens().size(); id++) {
            String text = vocab.tokens().get(id);
            if (!isAdded(vocab, id) && !ids.has(text)) {
                ids.addProperty(text, id);
            }
        }
        JsonArray merges = new JsonArray();
        for (String merge : vocab.merges()) {
            // llama.cpp splits at the first space after the first character: the left part is never empty
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw new EngineException("GGUF tokenizer.ggml.merges entry '" + merge
                        + "' has no space; expected \"left right\"");
            }
            JsonArray pair = new JsonArray();
            pair.add(merge.substring(0, space));
            pair.add(merge.substring(space + 1));
            merges.add(pair);
        }
        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.addProperty("continuing_subword_prefix", "");
        model.addProperty("end_of_word_suffix", "");
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        model.add("vocab", ids);
        model.add("merges", merges);
        return model;
    }

    /** With add_bos_token, a template that puts BOS before the text; otherwise byte-level (offsets only). */
    private static JsonObject postProcessor(GgufVocabulary vocab) {
        if (!vocab.addBos()) {
            return byteLevel(false);
        }
        Integer bos = vocab.bosId();
        if (bos == null || bos < 0 || bos >= vocab.tokens().size()) {
            throw new EngineException("GGUF tokenizer.ggml.add_bos_token is true but tokenizer.ggml.bos_token_id is "
                    + bos + "; expected a token id below " + vocab.tokens().size());
        }
        String bosText = vocab.tokens().get(bos);
        JsonObject processor = new JsonObject();
        processor.addProperty("type", "TemplateProcessing");
        processor.add("single", template(bosText, "A"));
        JsonArray pair = template(bosText, "A");
        pair.addAll(template(bosText, "B"));
        processor.add("pair", pair);
        JsonObject special = new JsonObject();
        JsonObject entry = new JsonObject();
        entry.addProperty("id", bosText);
        JsonArray ids = new JsonArray();
        ids.add(bos);
        entry.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(bosText);
        entry.add("tokens", tokens);
        special.add(bosText, entry);
        processor.add("special_tokens", special);
        return processor;
    }

    private static JsonArray template(String bosText, String sequence) {
        JsonObject bos = new JsonObject();
        JsonObject bosPiece = new JsonObject();
        bosPiece.addProperty("id", bosText);
        bosPiece.addProperty("type_id", 0);
        bos.add("SpecialToken", bosPiece);
        JsonObject seq = new JsonObject();
        JsonObject seqPiece = new JsonObject();
        seqPiece.addProperty("id", sequence);
        seqPiece.addProperty("type_id", 0);
        seq.add("Sequence", seqPiece);
        JsonArray out = new JsonArray();
        out.add(bos);
        out.add(seq);
        return out;
    }

    /** Hugging Face's ByteLevel component (pre-tokenizer, post-processor or decoder). */
    static JsonObject byteLevel(boolean useRegex) {
        JsonObject b = new JsonObject();
        b.addProperty("type", "ByteLevel");
        b.addProperty("add_prefix_space", false);
        b.addProperty("trim_offsets", false);
        b.addProperty("use_regex", useRegex);
        return b;
    }
}
