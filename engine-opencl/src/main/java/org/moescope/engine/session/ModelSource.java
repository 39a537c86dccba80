package org.moescope.engine.session;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelPresets;

/** Where a model comes from: a Hugging Face folder, a GGUF file, or a synthetic preset/config with random weights. */
public sealed interface ModelSource {

    /** A Hugging Face folder: config.json, model.safetensors or an index of shards, optional tokenizer.json. */
    record Folder(Path dir) implements ModelSource {
        public Folder {
            if (dir == null) {
                throw new IllegalArgumentException("dir must not be null");
            }
        }
    }

    /** A GGUF file (llama.cpp's format), or the first part of a split one ({@code name-00001-of-00003.gguf}). */
    record Gguf(Path file) implements ModelSource {
        public Gguf {
            if (file == null) {
                throw new IllegalArgumentException("file must not be null");
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
            if (dtype == null || !dtype.isWeightType()) {
                throw new IllegalArgumentException("dtype must be a weight type (F32, F16, BF16 or a quantized type), "
                        + "got " + dtype);
            }
        }

        /** The preset's or config.json's configuration, with {@code layers} applied. */
        public ModelConfig config() {
            ModelConfig config = ModelPresets.resolve(presetOrConfig);
            return layers > 0 ? config.withLayers(layers) : config;
        }

        /** What a session calls the model: the preset name, or the config's absolute path. */
        public String displayName() {
            return ModelPresets.isPreset(presetOrConfig) ? presetOrConfig
                    : Path.of(presetOrConfig).toAbsolutePath().normalize().toString();
        }
    }

    /**
     * "--model" argument parsing: an existing .gguf file -> Gguf; a folder without config.json that holds one GGUF
     * file (or the parts of one split file) -> Gguf of it (its first part); any other existing directory -> Folder;
     * a known preset name -> Synthetic(preset, 0, BF16, 1),
     * an existing .json file -> Synthetic(that config, 0, BF16, 1), else IllegalArgumentException listing presets.
     * null -> the bundled sample model folder (see {@link SampleModel#locate()}).
     */
    static ModelSource parse(String arg) {
        if (arg == null) {
            return new Folder(SampleModel.locate());
        }
        Path path = Path.of(arg);
        if (isGguf(path)) {
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("--model '" + arg + "': no such GGUF file");
            }
            return new Gguf(path);
        }
        if (Files.isDirectory(path)) {
            Path gguf = Files.isRegularFile(path.resolve("config.json")) ? null : ggufIn(path);
            return gguf == null ? new Folder(path) : new Gguf(gguf);
        }
        if (ModelPresets.isPreset(arg)) {
            return new Synthetic(arg, 0, DType.BF16, 1);
        }
        if (arg.endsWith(".json") && Files.isRegularFile(path)) {
            return new Synthetic(arg, 0, DType.BF16, 1);
        }
        throw new IllegalArgumentException("--model '" + arg + "' is neither a model folder, a .gguf file nor a preset; presets: "
                + String.join(", ", ModelPresets.names()));
    }

    private static boolean isGguf(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    /**
     * The GGUF file a folder holds: its only one, or the first part when all of them are the parts of one split file;
     * null when it holds none. IllegalArgumentException when it holds several models.
     */
    private static Path ggufIn(Path dir) {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.filter(p -> isGguf(p) && Files.isRegularFile(p)).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + dir + ": " + e, e);
        }
        if (files.size() <= 1) {
            return files.isEmpty() ? null : files.get(0);
        }
        String first = files.get(0).getFileName().toString();
        int cut = first.lastIndexOf("-00001-of-");
        boolean oneSplitFile = cut > 0 && files.stream()
                .allMatch(p -> p.getFileName().toString().startsWith(first.substring(0, cut) + "-"));
        if (!oneSplitFile) {
            throw new IllegalArgumentException("--model '" + dir + "' holds " + files.size() + " GGUF files ("
                    + files.stream().map(p -> p.getFileName().toString()).toList() + "): name the one to open");
        }
        return files.get(0);
    }
}
