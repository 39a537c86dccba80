package org.moescope.engine.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.moescope.engine.backend.EngineException;

/**
 * A Hugging Face byte-level BPE {@code tokenizer.json} as the vocabulary llama.cpp's converter writes into a GGUF
 * file: tokens by id (the BPE vocabulary and the added tokens), merges as "a b", added special tokens as control
 * tokens (type 3) and other added tokens as user-defined (type 4), and the pre-tokenizer by its llama.cpp name.
 */
public final class TokenizerJsonVocabulary {

    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;

    private TokenizerJsonVocabulary() {
    }

    /**
     * The vocabulary of {@code tokenizerJson}; {@code bosId}/{@code eosId} (may be null) come from the model's config.
     * EngineException when the file is not byte-level BPE or its pre-tokenizer has no llama.cpp name.
     */
    public static GgufVocabulary read(Path tokenizerJson, Integer bosId, Integer eosId) {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(tokenizerJson)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new EngineException("cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
        try {
            return vocabulary(root, tokenizerJson, bosId, eosId);
        } catch (IllegalStateException | UnsupportedOperationException | ClassCastException | NumberFormatException
                 | NullPointerException e) {
            // a member of the wrong JSON type where a string, number, object or array belongs
            throw new EngineException(tokenizerJson + ": malformed tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    private static GgufVocabulary vocabulary(JsonObject root, Path tokenizerJson, Integer bosId, Integer eosId) {
        JsonObject model = root.getAsJsonObject("model");
        if (model == null || !"BPE".equals(string(model, "type"))) {
            throw new EngineException(tokenizerJson + " is not a BPE tokenizer: only byte-level BPE (GGUF's gpt2 "
                    + "tokenizer model) can be written to a GGUF file");
        }
        Map<String, JsonElement> vocab = model.getAsJsonObject("vocab").asMap();
        List<JsonObject> added = new ArrayList<>();
        if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
            root.getAsJsonArray("added_tokens").forEach(e -> added.add(e.getAsJsonObject()));
        }
        // a dense vocabulary has at most one id per entry: a larger id is a gap, refused before allocating for it
        int entries = vocab.size() + added.size();
        int size = vocab.size();
        for (JsonObject a : added) {
            size = Math.max(size, tokenId(a.get("id"), a.get("content"), entries, tokenizerJson) + 1);
        }
        String[] tokens = new String[size];
        int[] types = new int[size];
        Arrays.fill(types, NORMAL);
        for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
            int id = tokenId(e.getValue(), new JsonPrimitive(e.getKey()), size, tokenizerJson);
            tokens[id] = e.getKey();
        }
        for (JsonObject a : added) {
            int id = a.get("id").getAsInt();
            tokens[id] = a.get("content").getAsString();
            types[id] = a.has("special") && a.get("special").getAsBoolean() ? CONTROL : USER_DEFINED;
        }
        for (int i = 0; i < size; i++) {
            if (tokens[i] == null) {
                throw new EngineException(tokenizerJson + " has no token with id " + i
                        + ": GGUF needs a dense vocabulary");
            }
        }
        List<String> merges = new ArrayList<>();
        if (model.has("merges")) {
            for (JsonElement m : model.getAsJsonArray("merges")) {
                if (m.isJsonArray() && m.getAsJsonArray().size() != 2) {
                    throw new EngineException(tokenizerJson + ": merge " + m + " is not a pair of tokens");
                }
                merges.add(m.isJsonArray() ? m.getAsJsonArray().get(0).getAsString() + " "
                        + m.getAsJsonArray().get(1).getAsString() : m.getAsString());
            }
        }
        return new GgufVocabulary("gpt2", preName(root, tokenizerJson), List.of(tokens), merges, types, bosId, eosId,
                false, null);
    }

    /** "gpt-2" for a plain ByteLevel pre-tokenizer with its regex, "qwen2" for Qwen's split; else an error. */
    private static String preName(JsonObject root, Path file) {
        JsonElement pre = root.get("pre_tokenizer");
        if (pre != null && pre.isJsonObject()) {
            JsonObject p = pre.getAsJsonObject();
            if ("ByteLevel".equals(string(p, "type")) && (!p.has("use_regex") || p.get("use_regex").getAsBoolean())) {
                return GgufPreTokenizer.GPT2.ggufName;
            }
            if ("Sequence".equals(string(p, "type")) && splitsWithQwen2Regex(p)) {
                return GgufPreTokenizer.QWEN2.ggufName;
            }
        }
        throw new EngineException(file + ": its pre-tokenizer " + pre + " has no llama.cpp name this writer knows "
                + "(gpt-2: a ByteLevel pre-tokenizer with its regex; qwen2: Qwen's Split regex then ByteLevel)");
    }

    private static boolean splitsWithQwen2Regex(JsonObject sequence) {
        if (!sequence.has("pretokenizers")) {
            return false;
        }
        for (JsonElement step : sequence.getAsJsonArray("pretokenizers")) {
            JsonObject s = step.getAsJsonObject();
            if ("Split".equals(string(s, "type")) && s.has("pattern") && s.get("pattern").isJsonObject()
                    && GgufPreTokenizer.QWEN2_REGEX.equals(string(s.getAsJsonObject("pattern"), "Regex"))) {
                return true;
            }
        }
        return false;
    }

    /** A token's id, which must be an integer in [0, limit). */
    private static int tokenId(JsonElement id, JsonElement token, int limit, Path file) {
        if (id == null || !id.isJsonPrimitive() || !id.getAsJsonPrimitive().isNumber()) {
            throw new EngineException(file + ": token " + token + " has id " + id + ", not a number");
        }
        long value;
        try {
            value = id.getAsBigDecimal().longValueExact();
        } catch (ArithmeticException e) {
            value = -1;
        }
        if (value < 0 || value >= limit) {
            throw new EngineException(file + ": token " + token + " has id " + id + ", outside [0, " + limit
                    + ") for a vocabulary of " + limit + " entries");
        }
        return (int) value;
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
    }
}
