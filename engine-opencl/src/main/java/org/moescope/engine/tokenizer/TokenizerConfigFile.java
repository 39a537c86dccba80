package org.moescope.engine.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moescope.engine.backend.EngineException;

/**
 * The chat template of a Hugging Face model folder: {@code chat_template.jinja} (newer transformers write it there),
 * else {@code tokenizer_config.json}'s {@code chat_template}, either a string or a list of named templates (the one
 * named "default" is taken).
 */
final class TokenizerConfigFile {

    static final String CONFIG = "tokenizer_config.json";
    static final String JINJA = "chat_template.jinja";

    private TokenizerConfigFile() {
    }

    /** The folder's chat template, or null when it has none. */
    static String chatTemplate(Path modelDir) {
        Path jinja = modelDir.resolve(JINJA);
        Path config = modelDir.resolve(CONFIG);
        try {
            if (Files.isRegularFile(jinja)) {
                return Files.readString(jinja);
            }
            if (!Files.isRegularFile(config)) {
                return null;
            }
            JsonElement root = JsonParser.parseString(Files.readString(config));
            if (!root.isJsonObject()) {
                throw new EngineException(config + " is not a JSON object");
            }
            return fromConfig(root.getAsJsonObject(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat template of " + modelDir + ": " + e.getMessage(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new EngineException(config + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String fromConfig(JsonObject config, Path file) {
        JsonElement template = config.get("chat_template");
        if (template == null || template.isJsonNull()) {
            return null;
        }
        if (template.isJsonPrimitive()) {
            return template.getAsString();
        }
        if (template.isJsonArray()) {
            for (JsonElement e : template.getAsJsonArray()) {
                if (e.isJsonObject() && "default".equals(stringOrNull(e.getAsJsonObject(), "name"))) {
                    return stringOrNull(e.getAsJsonObject(), "template");
                }
            }
            return null;
        }
        throw new EngineException(file + ": chat_template is " + template + "; expected a string or a list of "
                + "{\"name\", \"template\"} objects");
    }

    private static String stringOrNull(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || !e.isJsonPrimitive() ? null : e.getAsString();
    }
}
