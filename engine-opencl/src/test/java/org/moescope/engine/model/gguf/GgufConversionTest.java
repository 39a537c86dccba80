package org.moescope.engine.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.model.LoadCancelledException;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SampleModel;

class GgufConversionTest {

    /**
     * ggml quantized the sample model into gguf-sample-q8 with its own reference quantizer: ours, converting the same
     * checkpoint, writes every tensor byte for byte as ggml did.
     */
    @Test
    void theSampleModelConvertedToQ8_0IsGgmlsOwnFileTensorForTensor(@TempDir Path tmp) {
        Path out = tmp.resolve("sample-q8.gguf");
        try (InferenceSession session = InferenceSession.open(new ModelSource.Folder(SampleModel.locate()),
                new JavaBackend(), null)) {
            session.writeGguf(out, DType.Q8_0, null);
        }
        try (GgufFile ours = GgufFile.open(out);
             GgufFile ggml = GgufFile.open(GgufFixtures.model("gguf-sample-q8"))) {
            assertEquals(ggml.tensors().keySet(), ours.tensors().keySet());
            for (GgufTensor t : ggml.tensors().values()) {
                GgufTensor o = ours.tensors().get(t.name());
                assertEquals(t.dtype(), o.dtype(), t.name());
                assertArrayEquals(t.ne(), o.ne(), t.name());
                assertEquals(bytes(ggml, t), bytes(ours, o), t.name());
            }
            assertEquals(GgufVocabularyReader.read(ggml).tokens(), GgufVocabularyReader.read(ours).tokens());
            assertEquals(GgufVocabularyReader.read(ggml).merges(), GgufVocabularyReader.read(ours).merges());
        }
    }

    /** A synthetic preset written tensor by tensor is the model the preset loads: the same logits, exactly. */
    @Test
    void aSyntheticPresetWrittenStreamingScoresExactlyAsTheLoadedPreset(@TempDir Path tmp) {
        ModelSource.Synthetic preset = new ModelSource.Synthetic("qwen3-tiny", 2, DType.Q8_0, 7);
        Path out = tmp.resolve("tiny.gguf");
        try (JavaBackend backend = new JavaBackend()) {
            InferenceSession.writeSyntheticGguf(preset, null, backend, out, null);
        }
        int[] ids = {3, 1, 4, 1, 5, 9, 2, 6};
        try (InferenceSession direct = InferenceSession.open(preset, new JavaBackend(), null);
             InferenceSession fromFile = InferenceSession.open(new ModelSource.Gguf(out), new JavaBackend(), null)) {
            assertEquals(direct.weightTypes().summary(), fromFile.weightTypes().summary());
            assertArrayEquals(direct.score(ids, 1, MoeOptions.DEFAULT).prefillLogits(),
                    fromFile.score(ids, 1, MoeOptions.DEFAULT).prefillLogits());
        }
    }

    /** Rewriting a file as stored keeps every tensor's bytes (no dequantize/requantize round trip). */
    @Test
    void aGgufFileWrittenAsStoredKeepsItsBytes(@TempDir Path tmp) {
        Path out = tmp.resolve("k.gguf");
        try (InferenceSession session = InferenceSession.open(new ModelSource.Gguf(GgufFixtures.model("gguf-tiny-k")),
                new JavaBackend(), null)) {
            session.writeGguf(out, null, null);
        }
        try (GgufFile ours = GgufFile.open(out); GgufFile ggml = GgufFile.open(GgufFixtures.model("gguf-tiny-k"))) {
            for (GgufTensor t : ggml.tensors().values()) {
                assertEquals(bytes(ggml, t), bytes(ours, ours.tensors().get(t.name())), t.name());
            }
        }
    }

    /** A cancelled conversion leaves neither the file nor its partial copy, and an existing file untouched. */
    @Test
    void aCancelledConversionLeavesTheOldFileAsItWas(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("model.gguf");
        Files.writeString(out, "the previous file");
        LoadProgress cancelAtOnce = new LoadProgress() {
            @Override
            public void progress(double fraction, String message) {
            }

            @Override
            public boolean cancelRequested() {
                return true;
            }
        };
        try (JavaBackend backend = new JavaBackend()) {
            assertThrows(LoadCancelledException.class, () -> InferenceSession.writeSyntheticGguf(
                    new ModelSource.Synthetic("qwen3-tiny", 1, DType.F16, 1), null, backend, out, cancelAtOnce));
        }
        assertEquals("the previous file", Files.readString(out));
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "no partial file is left");
        }
    }

    @Test
    void encodeRoundsAndQuantizes() {
        ByteBuffer f16 = GgufConversion.encode(new float[] {1.0f, -2.5f}, DType.F16);
        assertEquals(0x3C00, f16.getShort(0) & 0xffff);
        assertEquals(0xC100, f16.getShort(2) & 0xffff);
        float[] x = new float[32];
        x[0] = 127;
        x[1] = -63.5f;
        ByteBuffer q8 = GgufConversion.encode(x, DType.Q8_0);
        assertEquals(34, q8.remaining());
        assertEquals(0x3C00, q8.getShort(0) & 0xffff, "d = max|x| / 127 = 1");
        assertEquals(127, q8.get(2));
        assertEquals(-64, q8.get(3), "-63.5 rounds away from zero, as ggml's roundf");
        assertFalse(q8.get(4) != 0);
        assertTrue(q8.position() == 0);
    }

    private static ByteBuffer bytes(GgufFile f, GgufTensor t) {
        return f.bytes(t, 0, Math.toIntExact(t.bytes()));
    }
}
