package org.moescope.engine.model.gguf;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The ggml-written GGUF fixtures (see their README). */
final class GgufFixtures {

    static final Path DIR = Path.of("src/test/resources/org/moescope/engine/gguf");
    static final List<String> NAMES = List.of("gguf-tiny-k", "gguf-tiny-q8", "gguf-sample-q8");

    private GgufFixtures() {
    }

    static Path model(String name) {
        return DIR.resolve(name).resolve("model.gguf");
    }

    static JsonObject fixtureJson(String name) throws IOException {
        return JsonParser.parseString(Files.readString(DIR.resolve(name).resolve("fixture.json"))).getAsJsonObject();
    }
}
