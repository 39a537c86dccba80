package org.moescope.engine.model.gguf;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.ModelConfig;

/**
 * The {@link ModelConfig} of a GGUF file, from llama.cpp's {@code general.architecture} and {@code qwen3moe.*} keys.
 * Keys llama.cpp requires are required here too; the others take llama.cpp's defaults. Every layer of a qwen3moe
 * model is a MoE layer. {@code expert_weights_norm} (renormalise the top-k weights) defaults to true: llama.cpp always
 * renormalises for qwen3moe, which is what Qwen3 models need.
 */
public final class GgufModelConfig {

    /** llama.cpp's {@code llama_ftype} of the file's weights (15 = Q4_K_M, ...); optional. */
    public static final String FILE_TYPE_KEY = "general.file_type";

    public static final String ARCHITECTURE = "qwen3moe";
    public static final String ARCHITECTURE_KEY = "general.architecture";
    /** The architectures MoEScope runs, for errors. */
    public static final List<String> SUPPORTED = List.of(ARCHITECTURE);

    private GgufModelConfig() {
    }

    public static ModelConfig from(GgufFile file) {
        String source = file.path().toString();
        String arch = file.require(ARCHITECTURE_KEY).asString(ARCHITECTURE_KEY);
        if (!ARCHITECTURE.equals(arch)) {
            throw new EngineException(source + ": GGUF architecture '" + arch + "' is not supported; MoEScope runs "
                    + String.join(", ", SUPPORTED) + " (Qwen3-MoE) models");
        }
        Keys k = new Keys(file, arch + ".");
        try {
            int hidden = k.requiredInt("embedding_length");
            int heads = k.requiredInt("attention.head_count");
            int headDim = k.optInt("attention.key_length", heads > 0 ? hidden / heads : 0);
            int valueDim = k.optInt("attention.value_length", headDim);
            if (valueDim != headDim) {
                throw new EngineException("attention.key_length (" + headDim + ") and attention.value_length ("
                        + valueDim + ") differ; Qwen3-MoE uses one head size for both");
            }
            int moeInter = k.requiredInt("expert_feed_forward_length");
            return new ModelConfig(
                    ModelConfig.MODEL_TYPE,
                    hidden,
                    k.requiredInt("block_count"),
                    heads,
                    k.optInt("attention.head_count_kv", heads),
                    headDim,
                    moeInter,
                    k.optInt("feed_forward_length", moeInter),
                    k.requiredInt("expert_count"),
                    k.requiredInt("expert_used_count"),
                    k.optBool("expert_weights_norm", true),
                    1,
                    List.of(),
                    (float) k.optDouble("attention.layer_norm_rms_epsilon", 1e-6),
                    (float) k.optDouble("rope.freq_base", 10000.0),
                    k.optInt("context_length", 32768),
                    vocabSize(file),
                    !file.tensors().containsKey("output.weight"),
                    eosIds(file),
                    weightType(file));
        } catch (EngineException e) {
            throw e.getMessage().startsWith(source) ? e : new EngineException(source + ": " + e.getMessage(), e);
        }
    }

    /** The token list's length, else token_embd's rows. */
    private static int vocabSize(GgufFile file) {
        GgufValue tokens = file.get("tokenizer.ggml.tokens");
        if (tokens != null) {
            return tokens.asArray("tokenizer.ggml.tokens").size();
        }
        GgufTensor embd = file.tensors().get("token_embd.weight");
        if (embd == null || embd.ne().length != 2) {
            throw new EngineException("no tokenizer.ggml.tokens and no 2-D token_embd.weight: the vocabulary size is unknown");
        }
        return Math.toIntExact(embd.ne()[1]);
    }

    /** tokenizer.ggml.eos_token_id, then eot_token_id when it is another token. */
    private static List<Integer> eosIds(GgufFile file) {
        List<Integer> ids = new ArrayList<>();
        for (String key : new String[] {"tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id"}) {
            GgufValue v = file.get(key);
            if (v != null && !ids.contains(v.asInt(key))) {
                ids.add(v.asInt(key));
            }
        }
        return ids;
    }

    /** What the model line shows as its type: the first layer's expert type (the bulk of the bytes), else F32. */
    private static DType weightType(GgufFile file) {
        for (String name : new String[] {"blk.0.ffn_gate_exps.weight", "token_embd.weight"}) {
            GgufTensor t = file.tensors().get(name);
            if (t != null) {
                return t.dtype();
            }
        }
        return DType.F32;
    }

    /** The architecture's keys ({@code qwen3moe.<name>}). */
    private record Keys(GgufFile file, String prefix) {
        int requiredInt(String name) {
            return file.require(prefix + name).asInt(prefix + name);
        }

        int optInt(String name, int fallback) {
            GgufValue v = file.get(prefix + name);
            return v == null ? fallback : v.asInt(prefix + name);
        }

        double optDouble(String name, double fallback) {
            GgufValue v = file.get(prefix + name);
            return v == null ? fallback : v.asDouble(prefix + name);
        }

        boolean optBool(String name, boolean fallback) {
            GgufValue v = file.get(prefix + name);
            return v == null ? fallback : v.asBool(prefix + name);
        }
    }
}
