package org.moescope.engine.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.moescope.engine.backend.EngineException;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's bindings of the Rust tokenizers library. The native library
 * ships inside the DJL jar; {@link #load} pins DJL to it (offline mode, CPU flavour) so that it never tries to
 * download a CUDA build on a GPU machine or reach the network at all.
 *
 * <p>Encoding applies the tokenizer's own post-processor (special tokens only where tokenizer.json adds them; Qwen's
 * adds none). Decoding keeps special tokens, so an EOS shows as its text.
 */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";

    private static final Map<String, String> OPTIONS =
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final String chatTemplate; // null when the model has none

    private TextTokenizer(HuggingFaceTokenizer tokenizer, String chatTemplate) {
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
    }

    /**
     * The tokenizer of a model folder, or null when it has no tokenizer.json; its chat template comes from
     * chat_template.jinja or tokenizer_config.json when the folder has one (see {@link TokenizerConfigFile}).
     */
    public static TextTokenizer loadIfPresent(Path modelDir) {
        Path file = modelDir.resolve(FILE);
        return Files.isRegularFile(file) ? load(file, TokenizerConfigFile.chatTemplate(modelDir)) : null;
    }

    /** A tokenizer.json, without a chat template. */
    public static TextTokenizer load(Path tokenizerJson) {
        return load(tokenizerJson, null);
    }

    private static TextTokenizer load(Path tokenizerJson, String chatTemplate) {
        NativeTokenizerGuard.check(tokenizerJson);
        keepDjlOffline();
        try {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(tokenizerJson, OPTIONS), chatTemplate);
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            throw new EngineException("cannot load tokenizer " + tokenizerJson + ": " + e, e);
        }
    }

    /**
     * The tokenizer a GGUF file embeds, built as the equivalent tokenizer.json in memory (see
     * {@link GgufTokenizerJson}): byte-level BPE with the file's merges, its control and user-defined tokens as added
     * tokens, the pre-tokenizer split named by {@code tokenizer.ggml.pre} ("gpt-2" or "qwen2"), and BOS prepended when
     * {@code add_bos_token} is true. The chat template is the file's {@code tokenizer.chat_template}.
     */
    public static TextTokenizer fromGguf(GgufVocabulary vocab) {
        String json = GgufTokenizerJson.of(vocab);
        keepDjlOffline();
        try (InputStream in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))) {
            return new TextTokenizer(HuggingFaceTokenizer.newInstance(in, OPTIONS), vocab.chatTemplate());
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            // the Rust library checks, among others, that every merge joins two tokens into a third
            throw new EngineException("cannot build the tokenizer of a GGUF file from its tokenizer.ggml.tokens and "
                    + "tokenizer.ggml.merges: " + e.getMessage(), e);
        }
    }

    /** DJL would otherwise look for a CUDA flavour of the native library online when it sees a GPU. */
    private static void keepDjlOffline() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("RUST_FLAVOR") == null && System.getenv("RUST_FLAVOR") == null) {
            System.setProperty("RUST_FLAVOR", "cpu");
        }
    }

    /** The model's chat template (Jinja source), or null when it has none; see {@link ChatTemplate}. */
    public String chatTemplate() {
        return chatTemplate;
    }

    public int[] encode(String text) {
        Encoding encoding = tokenizer.encode(text);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    public String decode(int[] ids) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, false);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
