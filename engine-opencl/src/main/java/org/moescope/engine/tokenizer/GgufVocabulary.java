package org.moescope.engine.tokenizer;

import java.util.List;

/**
 * The tokenizer a GGUF file embeds (llama.cpp's {@code tokenizer.ggml.*} keys), as read from its metadata.
 *
 * @param model        {@code tokenizer.ggml.model}: "gpt2" (byte-level BPE) is supported
 * @param pre          {@code tokenizer.ggml.pre}: the pre-tokenizer split ("qwen2", "gpt-2", ...); null when absent
 * @param tokens       {@code tokenizer.ggml.tokens}: token id i's text, in the byte-level alphabet
 * @param merges       {@code tokenizer.ggml.merges}: "a b" merge rules in priority order
 * @param tokenTypes   {@code tokenizer.ggml.token_type}: one per token (1 normal, 3 control, 4 user-defined, ...);
 *                     null when absent
 * @param bosId        {@code tokenizer.ggml.bos_token_id}, or null
 * @param eosId        {@code tokenizer.ggml.eos_token_id}, or null
 * @param addBos       {@code tokenizer.ggml.add_bos_token} (false when absent)
 * @param chatTemplate {@code tokenizer.chat_template}, or null
 */
public record GgufVocabulary(String model, String pre, List<String> tokens, List<String> merges, int[] tokenTypes,
                             Integer bosId, Integer eosId, boolean addBos, String chatTemplate) {
    public GgufVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
        tokenTypes = tokenTypes == null ? null : tokenTypes.clone();
    }
}
