package org.moescope.engine.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.moescope.engine.backend.DType;

/**
 * Small random Qwen3-MoE checkpoints written to a folder: config.json (4.x or 5.x names) and model.safetensors with
 * per-expert tensors as Hugging Face saves them. Matrices are uniform in ±1/sqrt(fan-in), norm weights in [0.5, 1.5].
 */
final class RandomCheckpoint {

    private RandomCheckpoint() {
    }

    /** A writer holding every tensor {@code config} needs, each in a dtype drawn from {@code dtypes}. */
    static SafetensorsWriter tensors(ModelConfig config, long seed, DType... dtypes) {
        Random random = new Random(seed);
        SafetensorsWriter w = new SafetensorsWriter();
        for (WeightSpec spec : WeightLayout.of(config)) {
            DType stackDtype = dtypes[random.nextInt(dtypes.length)];
            for (String part : spec.parts()) {
                long[] shape = spec.partShape();
                long n = 1;
                for (long d : shape) {
                    n *= d;
                }
                float[] values = new float[(int) n];
                float scale = spec.isNorm() ? 0.5f : (float) (1 / Math.sqrt(spec.fanIn()));
                for (int i = 0; i < values.length; i++) {
                    float u = random.nextFloat() * 2 - 1;
                    values[i] = spec.isNorm() ? 1 + u * scale : u * scale;
                }
                DType dtype = spec.parts().size() > 1 ? stackDtype : dtypes[random.nextInt(dtypes.length)];
                w.add(part, dtype, shape, values);
            }
        }
        return w;
    }

    /** Writes config.json in transformers 5.x ({@code newStyle}) or 4.x names, and model.safetensors. */
    static Path write(Path dir, ModelConfig config, boolean newStyle, long seed, DType... dtypes) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), configJson(config, newStyle));
        tensors(config, seed, dtypes).write(dir.resolve("model.safetensors"));
        return dir;
    }

    static String configJson(ModelConfig c, boolean newStyle) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", c.modelType());
        o.addProperty("hidden_size", c.hiddenSize());
        o.addProperty("num_hidden_layers", c.numHiddenLayers());
        o.addProperty("num_attention_heads", c.numAttentionHeads());
        o.addProperty("num_key_value_heads", c.numKeyValueHeads());
        o.addProperty("head_dim", c.headDim());
        o.addProperty("moe_intermediate_size", c.moeIntermediateSize());
        o.addProperty("intermediate_size", c.intermediateSize());
        o.addProperty(newStyle ? "num_local_experts" : "num_experts", c.numExperts());
        o.addProperty("num_experts_per_tok", c.numExpertsPerTok());
        o.addProperty("norm_topk_prob", c.normTopkProb());
        o.addProperty("decoder_sparse_step", c.decoderSparseStep());
        JsonArray mlpOnly = new JsonArray();
        c.mlpOnlyLayers().forEach(mlpOnly::add);
        o.add("mlp_only_layers", mlpOnly);
        o.addProperty("rms_norm_eps", c.rmsNormEps());
        if (newStyle) {
            JsonObject rope = new JsonObject();
            rope.addProperty("rope_theta", c.ropeTheta());
            rope.addProperty("rope_type", "default");
            o.add("rope_parameters", rope);
            o.addProperty("dtype", "bfloat16");
        } else {
            o.addProperty("rope_theta", c.ropeTheta());
            o.addProperty("torch_dtype", "bfloat16");
        }
        o.addProperty("max_position_embeddings", c.maxPositionEmbeddings());
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("tie_word_embeddings", c.tieWordEmbeddings());
        if (c.eosTokenIds().size() == 1) {
            o.addProperty("eos_token_id", c.eosTokenIds().get(0));
        } else {
            JsonArray eos = new JsonArray();
            c.eosTokenIds().forEach(eos::add);
            o.add("eos_token_id", eos);
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(o);
    }
}
