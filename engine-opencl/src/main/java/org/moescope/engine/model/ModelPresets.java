package org.moescope.engine.model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;

/** Named model shapes for synthetic models: real architectures with random weights. */
public final class ModelPresets {

    private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

    static {
        // Qwen/Qwen3-30B-A3B config.json
        PRESETS.put("qwen3-30b-a3b", new ModelConfig(ModelConfig.MODEL_TYPE, 2048, 48, 32, 4, 128, 768, 6144, 128, 8,
                true, 1, List.of(), 1e-6f, 1_000_000f, 40960, 151936, false, List.of(151645, 151643), DType.BF16));
        // Qwen/Qwen3-235B-A22B config.json
        PRESETS.put("qwen3-235b-a22b", new ModelConfig(ModelConfig.MODEL_TYPE, 4096, 94, 64, 4, 128, 1536, 12288, 128, 8,
                true, 1, List.of(), 1e-6f, 1_000_000f, 40960, 151936, false, List.of(151645, 151643), DType.BF16));
        // Small enough for tests on any device; odd sizes so no kernel can rely on tile multiples.
        PRESETS.put("qwen3-tiny", new ModelConfig(ModelConfig.MODEL_TYPE, 64, 4, 4, 2, 16, 40, 96, 8, 2,
                true, 1, List.of(), 1e-6f, 10_000f, 512, 301, false, List.of(0), DType.F32));
    }

    private ModelPresets() {
    }

    public static Set<String> names() {
        return PRESETS.keySet();
    }

    public static boolean isPreset(String name) {
        return PRESETS.containsKey(name);
    }

    /** A preset by name, or a config.json (file, or folder holding one) by path. */
    public static ModelConfig resolve(String presetOrConfig) {
        ModelConfig preset = PRESETS.get(presetOrConfig);
        if (preset != null) {
            return preset;
        }
        Path path = Path.of(presetOrConfig);
        if (Files.isDirectory(path)) {
            return ModelConfig.load(path);
        }
        if (Files.isRegularFile(path)) {
            try {
                return ModelConfig.parse(Files.readString(path), null, path.toString());
            } catch (java.io.IOException e) {
                throw new EngineException("cannot read " + path + ": " + e, e);
            }
        }
        throw new IllegalArgumentException("'" + presetOrConfig + "' is neither a preset (" + String.join(", ", names())
                + ") nor a config.json file");
    }
}
