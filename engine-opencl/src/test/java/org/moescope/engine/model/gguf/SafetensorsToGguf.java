package org.moescope.engine.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.SafetensorsCheckpoint;
import org.moescope.engine.model.SafetensorsFile;
import org.moescope.engine.model.WeightLayout;
import org.moescope.engine.model.WeightSpec;
import org.moescope.engine.tokenizer.GgufVocabulary;

/** Writes a per-expert Hugging Face folder as a GGUF file of the same types, byte for byte (experts stacked). */
final class SafetensorsToGguf {

    private SafetensorsToGguf() {
    }

    static Path convert(Path folder, GgufVocabulary vocabulary, Path out) throws IOException {
        ModelConfig config = ModelConfig.load(folder);
        GgufWriter w = GgufModelWriter.forModel(config, folder.getFileName().toString());
        GgufModelWriter.putVocabulary(w, vocabulary);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(folder)) {
            for (WeightSpec spec : WeightLayout.of(config)) {
                DType dtype = checkpoint.tensor(spec.parts().get(0)).dtype();
                ByteBuffer bytes = ByteBuffer.allocate((int) dtype.bytesOf(spec.elements()));
                for (String part : spec.parts()) {
                    SafetensorsFile.Tensor t = checkpoint.tensor(part);
                    if (t.dtype() != dtype) {
                        throw new IllegalArgumentException("mixed types in " + spec.key());
                    }
                    try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
                        bytes.put(ch.map(FileChannel.MapMode.READ_ONLY, t.begin(), t.bytes()));
                    }
                }
                bytes.flip();
                GgufModelWriter.addWeight(w, spec, dtype, ch -> {
                    ByteBuffer b = bytes.duplicate();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                });
            }
        }
        w.write(out);
        return out;
    }
}
