package org.moescope.engine.session;

import java.nio.file.Files;
import java.nio.file.Path;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelPresets;

/** Where a model comes from: a Hugging Face folder, or a synthetic preset/config with random weights. */
public sealed interface ModelSource {

    /** A Hugging Face folder: config.json, model.safetensors or an index of shards, optional tokenizer.json. */
    record Folder(Path dir) implements ModelSource {
        public Folder {
            if (dir == null) {
                throw new IllegalArgumentException("dir must not be null");
            }
        }
    }

    /**
     * preset name (e.g. "qwen3-30b-a3b") or a path to a config.json; layers > 0 overrides num_hidden_layers;
     * dtype of the weights; seed of the random weights.
     */
    record Synthetic(String presetOrConfig, int layers, DType dtype, long seed) implements ModelSource {
        public Synthetic {
            if (presetOrConfig == null || presetOrConfig.isBlank()) {
                throw new IllegalArgumentException("presetOrConfig must name a preset or a config.json");
            }
            if (layers < 0) {
                throw new IllegalArgumentException("layers must be >= 0 (0 = all of the config's), got " + layers);
            }
            if (dtype == null || dtype == DType.I32) {
                throw new IllegalArgumentException("dtype must be F32, F16 or BF16, got " + dtype);
            }
        }
    }

    /**
     * "--model" argument parsing: an existing directory -> Folder, a known preset name -> Synthetic(preset, 0, BF16, 1),
     * an existing .json file -> Synthetic(that config, 0, BF16, 1), else IllegalArgumentException listing presets.
     * null -> the bundled sample model folder (see {@link SampleModel#locate()}).
     */
    static ModelSource parse(String arg) {
        if (arg == null) {
            return new Folder(SampleModel.locate());
        }
        Path path = Path.of(arg);
        if (Files.isDirectory(path)) {
            return new Folder(path);
        }
        if (ModelPresets.isPreset(arg)) {
            return new Synthetic(arg, 0, DType.BF16, 1);
        }
        if (arg.endsWith(".json") && Files.isRegularFile(path)) {
            return new Synthetic(arg, 0, DType.BF16, 1);
        }
        throw new IllegalArgumentException("--model '" + arg + "' is neither a model folder nor a preset; presets: "
                + String.join(", ", ModelPresets.names()));
    }
}
