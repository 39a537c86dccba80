package org.moescope.engine.model.gguf;

import org.moescope.engine.backend.DType;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightSpec;
import org.moescope.engine.tokenizer.GgufVocabulary;

/**
 * Writes a Qwen3-MoE model as llama.cpp lays it out: {@code general.architecture = qwen3moe}, the {@code qwen3moe.*}
 * keys {@link GgufModelConfig} reads, the {@code tokenizer.ggml.*} keys, and each weight under its llama.cpp name with
 * ggml's innermost-first dims. What {@link GgufModelConfig} and {@link GgufLoader} read back, and ggml's tools too.
 */
public final class GgufModelWriter {

    private GgufModelWriter() {
    }

    /** A writer holding the model's metadata; add the vocabulary and the weights, then write it. */
    public static GgufWriter forModel(ModelConfig c, String name) {
        if (!c.mlpOnlyLayers().isEmpty() || c.decoderSparseStep() != 1) {
            throw new IllegalArgumentException("llama.cpp's qwen3moe has a MoE block in every layer; this model has "
                    + "dense layers (mlp_only_layers " + c.mlpOnlyLayers() + ", decoder_sparse_step "
                    + c.decoderSparseStep() + ")");
        }
        String a = GgufModelConfig.ARCHITECTURE + ".";
        GgufWriter w = new GgufWriter()
                .put(GgufModelConfig.ARCHITECTURE_KEY, GgufValue.string(GgufModelConfig.ARCHITECTURE))
                .put("general.name", GgufValue.string(name))
                .put(a + "block_count", GgufValue.uint32(c.numHiddenLayers()))
                .put(a + "context_length", GgufValue.uint32(c.maxPositionEmbeddings()))
                .put(a + "embedding_length", GgufValue.uint32(c.hiddenSize()))
                .put(a + "feed_forward_length", GgufValue.uint32(c.intermediateSize()))
                .put(a + "attention.head_count", GgufValue.uint32(c.numAttentionHeads()))
                .put(a + "attention.head_count_kv", GgufValue.uint32(c.numKeyValueHeads()))
                .put(a + "rope.freq_base", GgufValue.float32(c.ropeTheta()))
                .put(a + "attention.layer_norm_rms_epsilon", GgufValue.float32(c.rmsNormEps()))
                .put(a + "expert_used_count", GgufValue.uint32(c.numExpertsPerTok()))
                .put(a + "expert_count", GgufValue.uint32(c.numExperts()))
                .put(a + "attention.key_length", GgufValue.uint32(c.headDim()))
                .put(a + "attention.value_length", GgufValue.uint32(c.headDim()))
                .put(a + "expert_feed_forward_length", GgufValue.uint32(c.moeIntermediateSize()))
                .put(a + "expert_weights_norm", GgufValue.bool(c.normTopkProb()));
        if (!c.eosTokenIds().isEmpty()) {
            w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(c.eosTokenIds().get(0)));
        }
        return w;
    }

    /** The {@code tokenizer.ggml.*} keys of {@code v}. */
    public static void putVocabulary(GgufWriter w, GgufVocabulary v) {
        w.put("tokenizer.ggml.model", GgufValue.string(v.model()));
        if (v.pre() != null) {
            w.put("tokenizer.ggml.pre", GgufValue.string(v.pre()));
        }
        w.put("tokenizer.ggml.tokens", GgufValue.strings(v.tokens()));
        if (v.tokenTypes() != null) {
            w.put("tokenizer.ggml.token_type", GgufValue.int32s(v.tokenTypes()));
        }
        w.put("tokenizer.ggml.merges", GgufValue.strings(v.merges()));
        if (v.eosId() != null) {
            w.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(v.eosId()));
        }
        if (v.bosId() != null) {
            w.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(v.bosId()));
        }
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(v.addBos()));
        if (v.chatTemplate() != null) {
            w.put("tokenizer.chat_template", GgufValue.string(v.chatTemplate()));
        }
    }

    /** Adds the weight {@code spec} under its llama.cpp name, its bytes stored as {@code dtype}. */
    public static void addWeight(GgufWriter w, WeightSpec spec, DType dtype, GgufWriter.TensorData data) {
        w.addTensor(GgufLoader.tensorName(spec.key()), dtype, ne(spec.shape()), data);
    }

    /** ggml dims of a row-major shape: reversed. */
    public static long[] ne(long[] shape) {
        long[] ne = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            ne[i] = shape[shape.length - 1 - i];
        }
        return ne;
    }
}
