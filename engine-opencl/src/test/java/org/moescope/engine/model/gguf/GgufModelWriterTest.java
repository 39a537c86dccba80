package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.TestBackends;
import org.moescope.engine.tokenizer.GgufVocabulary;

/**
 * A loaded model written back as GGUF: the ggml-written gguf-tiny-k fixture (Q4_K, Q6_K and F32 tensors), loaded onto
 * a backend and written out, has the same config, vocabulary and tensors, byte for byte.
 */
class GgufModelWriterTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.moescope.engine.model.TestBackends#kinds")
    void aLoadedFixtureWritesBackTheSameTensorsByteForByte(String kind) {
        Path out = tmp.resolve("copy.gguf");
        try (GgufFile original = GgufFile.open(GgufFixtures.model("gguf-tiny-k"));
             Backend backend = TestBackends.open(kind)) {
            ModelConfig config = GgufModelConfig.from(original);
            GgufVocabulary vocabulary = GgufVocabularyReader.read(original);
            try (ModelWeights weights = GgufLoader.load(original, config, backend, LoadProgress.NONE)) {
                GgufConversion.writeLoaded(config, weights, backend, vocabulary, null, "copy", out, LoadProgress.NONE);
            }
            try (GgufFile copy = GgufFile.open(out)) {
                assertEquals(config, GgufModelConfig.from(copy));
                GgufVocabulary back = GgufVocabularyReader.read(copy);
                assertEquals(vocabulary.tokens(), back.tokens());
                assertEquals(vocabulary.merges(), back.merges());
                assertArrayEquals(vocabulary.tokenTypes(), back.tokenTypes());
                assertEquals(original.tensors().keySet(), copy.tensors().keySet());
                for (GgufTensor t : original.tensors().values()) {
                    GgufTensor c = copy.tensors().get(t.name());
                    assertArrayEquals(t.ne(), c.ne(), t.name());
                    assertEquals(t.ggmlType(), c.ggmlType(), t.name());
                    assertEquals(original.bytes(t, 0, (int) t.bytes()), copy.bytes(c, 0, (int) c.bytes()), t.name());
                }
            }
        }
    }
}
