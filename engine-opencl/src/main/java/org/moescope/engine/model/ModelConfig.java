package org.moescope.engine.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.moe.MoeShape;

/**
 * The shape of a Qwen3-MoE model, from a Hugging Face {@code config.json} in either naming style:
 * transformers 4.x ({@code num_experts}, {@code rope_theta}, {@code torch_dtype}) or 5.x
 * ({@code num_local_experts}, {@code rope_parameters.rope_theta}, {@code dtype}). Missing optional fields take
 * the defaults of transformers' {@code Qwen3MoeConfig}.
 *
 * @param eosTokenIds ids that end a sequence (config.json and generation_config.json together, in that order)
 * @param dtype       the checkpoint's declared weight dtype (F32 when the config names none or an unsupported one)
 */
public record ModelConfig(
        String modelType,
        int hiddenSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int moeIntermediateSize,
        int intermediateSize,
        int numExperts,
        int numExpertsPerTok,
        boolean normTopkProb,
        int decoderSparseStep,
        List<Integer> mlpOnlyLayers,
        float rmsNormEps,
        float ropeTheta,
        int maxPositionEmbeddings,
        int vocabSize,
        boolean tieWordEmbeddings,
        List<Integer> eosTokenIds,
        DType dtype) {

    public static final String MODEL_TYPE = "qwen3_moe";

    public ModelConfig {
        mlpOnlyLayers = List.copyOf(mlpOnlyLayers);
        eosTokenIds = List.copyOf(eosTokenIds);
        if (!MODEL_TYPE.equals(modelType)) {
            throw new EngineException("model_type '" + modelType + "' is not supported: MoEScope runs '" + MODEL_TYPE + "' models");
        }
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("intermediate_size", intermediateSize);
        positive("decoder_sparse_step", decoderSparseStep);
        positive("max_position_embeddings", maxPositionEmbeddings);
        positive("vocab_size", vocabSize);
        if (numExperts < 0) {
            throw new EngineException("config: num_experts must be >= 0, got " + numExperts);
        }
        if (numExperts > 0) {
            positive("moe_intermediate_size", moeIntermediateSize);
            if (numExpertsPerTok <= 0 || numExpertsPerTok > numExperts) {
                throw new EngineException("config: num_experts_per_tok must be in [1, num_experts=" + numExperts
                        + "], got " + numExpertsPerTok);
            }
        }
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new EngineException("config: num_attention_heads (" + numAttentionHeads
                    + ") must be a multiple of num_key_value_heads (" + numKeyValueHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new EngineException("config: head_dim must be even for rotary embeddings, got " + headDim);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0) || Float.isInfinite(rmsNormEps) || Float.isInfinite(ropeTheta)) {
            // a double beyond float's range (1e308) becomes Infinity here
            throw new EngineException("config: rms_norm_eps and rope_theta must be finite and > 0 (as 32-bit floats), got "
                    + rmsNormEps + " and " + ropeTheta);
        }
        for (int id : eosTokenIds) {
            if (id < 0 || id >= vocabSize) {
                throw new EngineException("config: eos_token_id " + id + " is outside the vocabulary [0, " + vocabSize + ")");
            }
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new EngineException("config: " + field + " must be > 0, got " + value);
        }
    }

    /** Hugging Face's rule: sparse iff experts exist, the layer is not MLP-only, and (L + 1) % decoder_sparse_step == 0. */
    public boolean isMoeLayer(int layer) {
        return numExperts > 0 && !mlpOnlyLayers.contains(layer) && (layer + 1) % decoderSparseStep == 0;
    }

    public boolean hasMoeLayers() {
        for (int l = 0; l < numHiddenLayers; l++) {
            if (isMoeLayer(l)) {
                return true;
            }
        }
        return false;
    }

    /** The MoE block's dimensions; only meaningful when {@link #hasMoeLayers()}. */
    public MoeShape moeShape() {
        return new MoeShape(hiddenSize, moeIntermediateSize, numExperts, numExpertsPerTok, normTopkProb);
    }

    /** Query width: heads * head_dim. */
    public int qDim() {
        return numAttentionHeads * headDim;
    }

    /** Key/value width: kv heads * head_dim. */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    public boolean isEos(int token) {
        return eosTokenIds.contains(token);
    }

    /** The same model with only the first {@code layers} decoder layers (synthetic models, quick runs). */
    public ModelConfig withLayers(int layers) {
        return new ModelConfig(modelType, hiddenSize, layers, numAttentionHeads, numKeyValueHeads, headDim,
                moeIntermediateSize, intermediateSize, numExperts, numExpertsPerTok, normTopkProb, decoderSparseStep,
                mlpOnlyLayers, rmsNormEps, ropeTheta, maxPositionEmbeddings, vocabSize, tieWordEmbeddings, eosTokenIds, dtype);
    }

    /** The same model with other end-of-sequence ids (none: generation always runs to its token budget). */
    public ModelConfig withEosTokenIds(List<Integer> ids) {
        return new ModelConfig(modelType, hiddenSize, numHiddenLayers, numAttentionHeads, numKeyValueHeads, headDim,
                moeIntermediateSize, intermediateSize, numExperts, numExpertsPerTok, normTopkProb, decoderSparseStep,
                mlpOnlyLayers, rmsNormEps, ropeTheta, maxPositionEmbeddings, vocabSize, tieWordEmbeddings, ids, dtype);
    }

    // ---------------------------------------------------------------- parsing

    /** Reads {@code dir/config.json} and, when present, {@code dir/generation_config.json} (for more EOS ids). */
    public static ModelConfig load(Path dir) {
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new EngineException("no config.json in " + dir.toAbsolutePath());
        }
        Path generation = dir.resolve("generation_config.json");
        return parse(read(config), Files.isRegularFile(generation) ? read(generation) : null, config.toString());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new EngineException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses config.json text; {@code generationJson} (may be null) adds its eos_token_id(s).
     * {@code source} names the file in error messages.
     */
    public static ModelConfig parse(String configJson, String generationJson, String source) {
        try {
            JsonObject c = JsonParser.parseString(configJson).getAsJsonObject();
            String modelType = c.has("model_type") ? c.get("model_type").getAsString() : "(none)";
            if (!MODEL_TYPE.equals(modelType)) {
                throw new EngineException(source + ": model_type '" + modelType + "' is not supported: MoEScope runs '"
                        + MODEL_TYPE + "' (Qwen3-MoE) models");
            }
            int hidden = requiredInt(c, "hidden_size", source);
            int heads = requiredInt(c, "num_attention_heads", source);
            Set<Integer> eos = new LinkedHashSet<>(ids(c.get("eos_token_id"), "eos_token_id"));
            if (generationJson != null) {
                JsonObject g = JsonParser.parseString(generationJson).getAsJsonObject();
                eos.addAll(ids(g.get("eos_token_id"), "eos_token_id"));
            }
            return new ModelConfig(
                    modelType,
                    hidden,
                    requiredInt(c, "num_hidden_layers", source),
                    heads,
                    optInt(c, heads, "num_key_value_heads"),
                    optInt(c, heads > 0 ? hidden / heads : 1, "head_dim"), // heads <= 0 is refused below
                    optInt(c, 768, "moe_intermediate_size"),
                    optInt(c, 6144, "intermediate_size"),
                    optInt(c, 128, "num_experts", "num_local_experts"),
                    optInt(c, 8, "num_experts_per_tok"),
                    optBool(c, false, "norm_topk_prob"),
                    optInt(c, 1, "decoder_sparse_step"),
                    ids(c.get("mlp_only_layers"), "mlp_only_layers"),
                    (float) optDouble(c, 1e-6, "rms_norm_eps"),
                    (float) ropeTheta(c),
                    optInt(c, 32768, "max_position_embeddings"),
                    requiredInt(c, "vocab_size", source),
                    optBool(c, false, "tie_word_embeddings"),
                    List.copyOf(eos),
                    dtype(c));
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new EngineException(source + ": malformed config: " + e.getMessage(), e);
        } catch (EngineException e) {
            throw e.getMessage().startsWith(source) ? e : new EngineException(source + ": " + e.getMessage(), e);
        }
    }

    private static boolean present(JsonObject c, String key) {
        return c.has(key) && !c.get(key).isJsonNull();
    }

    private static int requiredInt(JsonObject c, String key, String source) {
        if (!present(c, key)) {
            throw new EngineException(source + ": missing required field '" + key + "'");
        }
        return exactInt(c.get(key), key);
    }

    /** The first present key of {@code keys}, else {@code fallback}. */
    private static int optInt(JsonObject c, int fallback, String... keys) {
        for (String key : keys) {
            if (present(c, key)) {
                return exactInt(c.get(key), key);
            }
        }
        return fallback;
    }

    /**
     * A whole number that fits an int, written as a JSON number (or a string of one): Gson's getAsInt would wrap
     * 4294967297 to 1 and cut 1.5 to 1, so a corrupt size would load as another model.
     */
    private static int exactInt(JsonElement e, String key) {
        if (e == null || !e.isJsonPrimitive() || e.getAsJsonPrimitive().isBoolean()) {
            throw new EngineException("'" + key + "' must be an integer, got " + e);
        }
        try {
            return new java.math.BigDecimal(e.getAsString().trim()).intValueExact();
        } catch (NumberFormatException | ArithmeticException x) {
            throw new EngineException("'" + key + "' must be an integer in [" + Integer.MIN_VALUE + ", "
                    + Integer.MAX_VALUE + "], got " + e);
        }
    }

    private static double optDouble(JsonObject c, double fallback, String key) {
        return present(c, key) ? c.get(key).getAsDouble() : fallback;
    }

    private static boolean optBool(JsonObject c, boolean fallback, String key) {
        return present(c, key) ? c.get(key).getAsBoolean() : fallback;
    }

    /** 5.x: rope_parameters.rope_theta; 4.x: rope_theta (also inside rope_scaling in some exports); default 10000. */
    private static double ropeTheta(JsonObject c) {
        for (String nested : new String[] {"rope_parameters", "rope_scaling"}) {
            if (present(c, nested) && c.get(nested).isJsonObject()) {
                JsonObject p = c.getAsJsonObject(nested);
                if (present(p, "rope_theta")) {
                    return p.get("rope_theta").getAsDouble();
                }
            }
        }
        return optDouble(c, 10000.0, "rope_theta");
    }

    /** 5.x "dtype", 4.x "torch_dtype"; F32 when absent or not a weight type we load. */
    private static DType dtype(JsonObject c) {
        for (String key : new String[] {"dtype", "torch_dtype"}) {
            if (present(c, key) && c.get(key).isJsonPrimitive()) {
                try {
                    DType d = DType.parse(c.get(key).getAsString());
                    return d == DType.I32 ? DType.F32 : d;
                } catch (IllegalArgumentException e) {
                    return DType.F32;
                }
            }
        }
        return DType.F32;
    }

    /** An int, a list of ints, or null/absent (empty). */
    private static List<Integer> ids(JsonElement e, String key) {
        List<Integer> out = new ArrayList<>();
        if (e == null || e.isJsonNull()) {
            return out;
        }
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (JsonElement x : a) {
                out.add(exactInt(x, key));
            }
        } else {
            out.add(exactInt(e, key));
        }
        return out;
    }
}
