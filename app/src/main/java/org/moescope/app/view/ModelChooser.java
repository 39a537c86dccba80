package org.moescope.app.view;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

/**
 * How the user points the app at a model on disk: a GGUF file (llama.cpp, Ollama, LM Studio) or a Hugging Face
 * folder, chosen in a dialog or dropped on the window.
 */
public final class ModelChooser {
    /** The file chooser's filter for GGUF files. */
    public static final FileChooser.ExtensionFilter GGUF_FILTER =
            new FileChooser.ExtensionFilter("GGUF model (*.gguf)", "*.gguf", "*.GGUF");

    private ModelChooser() {
    }

    /** A chooser for a .gguf file (a split file opens from its first part), starting beside {@code current}. */
    public static FileChooser ggufFileChooser(String current) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a GGUF model file (a split model: its first part, -00001-of-N.gguf)");
        chooser.getExtensionFilters().add(GGUF_FILTER);
        chooser.setSelectedExtensionFilter(GGUF_FILTER);
        startIn(current).ifPresent(chooser::setInitialDirectory);
        return chooser;
    }

    /** A chooser for a Hugging Face model folder (config.json + *.safetensors), starting at {@code current}. */
    public static DirectoryChooser folderChooser(String current) {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Choose a Hugging Face model folder (config.json + *.safetensors)");
        startIn(current).ifPresent(chooser::setInitialDirectory);
        return chooser;
    }

    /**
     * The model a drop names: exactly one item, a .gguf file or a folder; empty for anything else (several files,
     * another kind of file), so the window refuses the drop before it happens.
     */
    public static Optional<Path> droppedModel(List<File> files) {
        if (files == null || files.size() != 1) {
            return Optional.empty();
        }
        Path path = files.get(0).toPath();
        if (Files.isDirectory(path) || (isGguf(path) && Files.isRegularFile(path))) {
            return Optional.of(path.toAbsolutePath());
        }
        return Optional.empty();
    }

    /** Whether a path names a GGUF file by its extension (any case). */
    public static boolean isGguf(Path path) {
        Path name = path.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    /** The folder a chooser opens in: the current model's folder, or the folder holding the current file. */
    private static Optional<File> startIn(String current) {
        if (current == null || current.isBlank()) {
            return Optional.empty();
        }
        File file = new File(current.trim());
        File dir = file.isDirectory() ? file : file.getParentFile();
        return dir != null && dir.isDirectory() ? Optional.of(dir) : Optional.empty();
    }
}
