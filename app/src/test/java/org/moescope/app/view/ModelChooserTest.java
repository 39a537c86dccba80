package org.moescope.app.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;

/** What the model chooser offers and which drops name a model. */
@ExtendWith(ApplicationExtension.class)
class ModelChooserTest {

    @Test
    void theFileChooserFiltersGgufFilesAndStartsBesideTheCurrentModel(@TempDir Path dir) throws Exception {
        Path gguf = Files.createFile(dir.resolve("Qwen3-30B-A3B-Q4_K_M.gguf"));
        FileChooser chooser = ModelChooser.ggufFileChooser(gguf.toString());
        assertEquals(List.of(ModelChooser.GGUF_FILTER), chooser.getExtensionFilters());
        assertEquals("GGUF model (*.gguf)", chooser.getSelectedExtensionFilter().getDescription());
        assertTrue(chooser.getSelectedExtensionFilter().getExtensions().contains("*.gguf"));
        assertEquals(dir.toFile(), chooser.getInitialDirectory(), "beside the current file");

        DirectoryChooser folders = ModelChooser.folderChooser(dir.toString());
        assertEquals(dir.toFile(), folders.getInitialDirectory(), "in the current folder");
        assertNull(ModelChooser.ggufFileChooser("qwen3-30b-a3b:4").getInitialDirectory(), "a preset is no place");
        assertNull(ModelChooser.folderChooser("").getInitialDirectory());
    }

    @Test
    void aDropNamesAModelWhenItIsOneGgufFileOrOneFolder(@TempDir Path dir) throws Exception {
        Path gguf = Files.createFile(dir.resolve("model.GGUF"));
        Path split = Files.createFile(dir.resolve("Qwen3-00001-of-00003.gguf"));
        Path folder = Files.createDirectory(dir.resolve("hf-model"));
        Path text = Files.createFile(dir.resolve("model.gguf.txt"));
        Path ggufFolder = Files.createDirectory(dir.resolve("folder.gguf"));

        assertEquals(Optional.of(gguf.toAbsolutePath()), ModelChooser.droppedModel(List.of(gguf.toFile())));
        assertEquals(Optional.of(split.toAbsolutePath()), ModelChooser.droppedModel(List.of(split.toFile())));
        assertEquals(Optional.of(folder.toAbsolutePath()), ModelChooser.droppedModel(List.of(folder.toFile())));
        assertEquals(Optional.of(ggufFolder.toAbsolutePath()), ModelChooser.droppedModel(List.of(ggufFolder.toFile())));
        assertFalse(ModelChooser.droppedModel(List.of(text.toFile())).isPresent());
        assertFalse(ModelChooser.droppedModel(List.of(new File(dir.toFile(), "gone.gguf"))).isPresent());
        assertFalse(ModelChooser.droppedModel(List.of(gguf.toFile(), folder.toFile())).isPresent());
        assertFalse(ModelChooser.droppedModel(List.of()).isPresent());
        assertFalse(ModelChooser.droppedModel(null).isPresent());
        assertTrue(ModelChooser.isGguf(Path.of("a/B.Gguf")));
        assertFalse(ModelChooser.isGguf(Path.of("a/b.safetensors")));
    }
}
