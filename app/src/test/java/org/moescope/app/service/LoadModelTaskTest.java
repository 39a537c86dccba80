package org.moescope.app.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void unknownNameIsRefusedByTheEngine() {
        assertThrows(IllegalArgumentException.class, () -> LoadModelTask.source("no-such-model:2"));
    }
}
