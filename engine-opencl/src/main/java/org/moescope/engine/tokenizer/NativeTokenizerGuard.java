package org.moescope.engine.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moescope.engine.backend.EngineException;

/**
 * Checks of a tokenizer.json that the Rust tokenizers library does not make itself: where it would panic on a
 * corrupt file instead of returning an error, and a panic inside it aborts the JVM (it cannot unwind through JNI).
 */
final class NativeTokenizerGuard {

    private NativeTokenizerGuard() {
    }

    /** Throws EngineException naming {@code file} when the library would panic on it. */
    static void check(Path file) {
        JsonObject root;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!parsed.isJsonObject()) {
                throw new EngineException(file + ": malformed tokenizer.json (not a JSON object)");
            }
            root = parsed.getAsJsonObject();
        } catch (IOException | JsonParseException e) {
            throw new EngineException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
        JsonElement model = root.get("model");
        if (model != null && model.isJsonObject()) {
            checkMergesAgainstPrefix(model.getAsJsonObject(), file);
        }
    }

    /**
     * BPE builds each merge's token as {@code left + right[prefix.length..]} (bpe/model.rs), cutting
     * {@code continuing_subword_prefix}'s length in bytes off the right part: a right part shorter than the prefix, or
     * one where the cut falls inside a character, panics.
     */
    private static void checkMergesAgainstPrefix(JsonObject model, Path file) {
        JsonElement prefix = model.get("continuing_subword_prefix");
        JsonElement merges = model.get("merges");
        if (prefix == null || !prefix.isJsonPrimitive() || merges == null || !merges.isJsonArray()) {
            return;
        }
        int cut = prefix.getAsString().getBytes(StandardCharsets.UTF_8).length;
        if (cut == 0) {
            return;
        }
        for (JsonElement merge : merges.getAsJsonArray()) {
            String right = rightPart(merge);
            if (right == null) {
                continue; // the library reports a malformed merge itself
            }
            byte[] bytes = right.getBytes(StandardCharsets.UTF_8);
            if (bytes.length < cut || (cut < bytes.length && (bytes[cut] & 0xC0) == 0x80)) {
                throw new EngineException(file + ": merge " + merge + " does not begin with the continuing_subword_prefix "
                        + "of " + cut + " bytes that BPE cuts off its right part");
            }
        }
    }

    /** The right token of a merge, written "left right" or ["left", "right"]; null when it is neither. */
    private static String rightPart(JsonElement merge) {
        if (merge.isJsonPrimitive()) {
            String s = merge.getAsString();
            int space = s.indexOf(' ');
            return space < 0 ? null : s.substring(space + 1);
        }
        if (merge.isJsonArray() && merge.getAsJsonArray().size() == 2 && merge.getAsJsonArray().get(1).isJsonPrimitive()) {
            return merge.getAsJsonArray().get(1).getAsString();
        }
        return null;
    }
}
