package org.moescope.app.cli;

import java.nio.file.Files;
import java.util.Locale;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufModelConfig;
import org.moescope.engine.model.gguf.GgufVocabularyReader;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.tokenizer.TextTokenizer;

/**
 * What the command line can be checked against before the weights load: the model's configuration (context length,
 * vocabulary, layers) and whether it has a tokenizer, read from config.json, a GGUF file's metadata or the preset.
 *
 * @param hasChatTemplate false when the model surely has none, true when it has one, null when only loading tells
 *                        (a folder's template comes from tokenizer_config.json or chat_template.jinja)
 */
record ModelFacts(String name, ModelConfig config, boolean hasTokenizer, Boolean hasChatTemplate) {

    static ModelFacts of(ModelSource source) {
        return switch (source) {
            case ModelSource.Folder f -> {
                java.nio.file.Path name = f.dir().toAbsolutePath().normalize().getFileName();
                yield new ModelFacts(name == null ? f.dir().toString() : name.toString(), ModelConfig.load(f.dir()),
                        Files.isRegularFile(f.dir().resolve(TextTokenizer.FILE)), null);
            }
            case ModelSource.Gguf g -> {
                try (GgufFile file = GgufFile.open(g.file())) {
                    boolean tokenizer = file.get(GgufVocabularyReader.MODEL) != null;
                    yield new ModelFacts(g.file().getFileName().toString(), GgufModelConfig.from(file), tokenizer,
                            tokenizer && file.get("tokenizer.chat_template") != null);
                }
            }
            case ModelSource.Synthetic s -> new ModelFacts(s.displayName(), s.config(), false, false);
        };
    }

    int contextLength() {
        return config.maxPositionEmbeddings();
    }

    /** Refuses ids outside the vocabulary, naming the first one and its position. */
    void checkIds(String command, String option, int[] ids) {
        int vocab = config.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw new CliArgs.UsageException(String.format(Locale.ROOT,
                        "%s: %s: token id %d (item %d) is outside the vocabulary of %s: ids go from 0 to %d",
                        command, option, ids[i], i + 1, name, vocab - 1));
            }
        }
    }

    /**
     * Refuses a prompt of {@code promptTokens} plus {@code newTokens} more than the model's context (the KV cache
     * holds every position, and rotary positions past max_position_embeddings were never trained).
     */
    void checkContext(String command, int promptTokens, String newTokensOption, int newTokens) {
        long total = (long) promptTokens + newTokens;
        if (total > contextLength()) {
            throw new CliArgs.UsageException(String.format(Locale.ROOT,
                    "%s: the prompt (%d token%s) + %s %d = %d tokens exceed the context of %s (%d tokens, its "
                    + "max_position_embeddings)%s", command, promptTokens, promptTokens == 1 ? "" : "s",
                    newTokensOption, newTokens, total, name,
                    contextLength(), promptTokens < contextLength()
                            ? "; give " + newTokensOption + " " + (contextLength() - promptTokens) + " or less"
                            : "; shorten the prompt"));
        }
    }

    /** Before a text prompt is tokenized: {@code newTokens} must leave room for at least one prompt token. */
    void checkRoomForAPrompt(String command, String newTokensOption, int newTokens) {
        if (newTokens >= contextLength()) {
            throw new CliArgs.UsageException(String.format(Locale.ROOT,
                    "%s: %s %d leaves no room for the prompt in the context of %s (%d tokens, its "
                    + "max_position_embeddings); give %s less than %d by at least the prompt's length in tokens",
                    command, newTokensOption, newTokens, name, contextLength(), newTokensOption, contextLength()));
        }
    }
}
