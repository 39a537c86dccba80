package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.session.ModelSource;

class LoadModelTaskTest {
    @Test
    void presetWithALayerCount() {
        var source = assertInstanceOf(ModelSource.Synthetic.class, LoadModelTask.source("qwen3-30b-a3b:3"));
        assertEquals("qwen3-30b-a3b", source.presetOrConfig());
        assertEquals(3, source.layers());
    }

    @Test
    void folderAndPresetAsTheEngineParsesThem(@TempDir Path dir) {
        assertEquals(new ModelSource.Folder(dir), LoadModelTask.source(dir.toString()));
        assertEquals(ModelSource.parse("qwen3-30b-a3b"), LoadModelTask.source("qwen3-30b-a3b"));
    }

    @Test
    void unknownNameIsRefusedByTheEngineInTheAppsWords() {
        var e = assertThrows(IllegalArgumentException.class, () -> LoadModelTask.source("no-such-model:2"));
        assertTrue(e.getMessage().startsWith("model 'no-such-model"), e.getMessage());
        assertTrue(e.getMessage().contains("qwen3-30b-a3b"), "lists the presets: " + e.getMessage());
    }

    @Test
    void missingFolderIsNamed(@TempDir Path dir) {
        var e = assertThrows(IllegalArgumentException.class, () -> LoadModelTask.source(dir.resolve("gone").toString()));
        assertEquals("there is no folder " + dir.resolve("gone"), e.getMessage());
    }
}
