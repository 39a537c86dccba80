package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeLayerWeights;

/**
 * Every weight buffer a {@link ModelConfig} needs, with the Hugging Face tensor names that fill it. The checkpoint
 * loader and the synthetic model builder both walk this list, so they cannot disagree on what a model consists of.
 */
public final class WeightLayout {

    private WeightLayout() {
    }

    public static List<WeightSpec> of(ModelConfig c) {
        int h = c.hiddenSize();
        List<WeightSpec> specs = new ArrayList<>();
        specs.add(single("model.embed_tokens.weight", new long[] {c.vocabSize(), h}, h, -1, "embedding"));
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            specs.add(single(p + "input_layernorm.weight", new long[] {h}, 0, l, "norms"));
            specs.add(single(p + "self_attn.q_proj.weight", new long[] {c.qDim(), h}, h, l, "attention"));
            specs.add(single(p + "self_attn.k_proj.weight", new long[] {c.kvDim(), h}, h, l, "attention"));
            specs.add(single(p + "self_attn.v_proj.weight", new long[] {c.kvDim(), h}, h, l, "attention"));
            specs.add(single(p + "self_attn.o_proj.weight", new long[] {h, c.qDim()}, c.qDim(), l, "attention"));
            specs.add(single(p + "self_attn.q_norm.weight", new long[] {c.headDim()}, 0, l, "norms"));
            specs.add(single(p + "self_attn.k_norm.weight", new long[] {c.headDim()}, 0, l, "norms"));
            specs.add(single(p + "post_attention_layernorm.weight", new long[] {h}, 0, l, "norms"));
            if (c.isMoeLayer(l)) {
                int e = c.numExperts();
                int inter = c.moeIntermediateSize();
                specs.add(single(p + "mlp.gate.weight", new long[] {e, h}, h, l, "router"));
                specs.add(experts(p, "gate_proj", new long[] {e, inter, h}, h, l));
                specs.add(experts(p, "up_proj", new long[] {e, inter, h}, h, l));
                specs.add(experts(p, "down_proj", new long[] {e, h, inter}, inter, l));
            } else {
                int inter = c.intermediateSize();
                specs.add(single(p + "mlp.gate_proj.weight", new long[] {inter, h}, h, l, "mlp"));
                specs.add(single(p + "mlp.up_proj.weight", new long[] {inter, h}, h, l, "mlp"));
                specs.add(single(p + "mlp.down_proj.weight", new long[] {h, inter}, inter, l, "mlp"));
            }
        }
        specs.add(single("model.norm.weight", new long[] {h}, 0, -1, "norms"));
        if (!c.tieWordEmbeddings()) {
            specs.add(single("lm_head.weight", new long[] {c.vocabSize(), h}, h, -1, "lm_head"));
        }
        return specs;
    }

    private static WeightSpec single(String name, long[] shape, int fanIn, int layer, String group) {
        return new WeightSpec(name, shape, List.of(name), fanIn, layer, group);
    }

    /** Stacked experts: buffer {@code mlp.experts.<proj>} filled from {@code mlp.experts.<e>.<proj>.weight} for each e. */
    private static WeightSpec experts(String prefix, String proj, long[] shape, int fanIn, int layer) {
        List<String> parts = new ArrayList<>();
        for (int e = 0; e < shape[0]; e++) {
            parts.add(prefix + "mlp.experts." + e + "." + proj + ".weight");
        }
        return new WeightSpec(prefix + "mlp.experts." + proj, shape, parts, fanIn, layer, "experts");
    }

    /** Total bytes of all weights when every buffer has {@code bytesPerElement}. */
    public static long totalElements(List<WeightSpec> specs) {
        long n = 0;
        for (WeightSpec s : specs) {
            n += s.elements();
        }
        return n;
    }

    /** Builds the model's weight records from buffers keyed by {@link WeightSpec#key()}. */
    public static ModelWeights assemble(ModelConfig c, Map<String, DeviceBuffer> buffers) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            MoeLayerWeights moe = null;
            DenseMlpWeights mlp = null;
            if (c.isMoeLayer(l)) {
                moe = new MoeLayerWeights(get(buffers, p + "mlp.gate.weight"), get(buffers, p + "mlp.experts.gate_proj"),
                        get(buffers, p + "mlp.experts.up_proj"), get(buffers, p + "mlp.experts.down_proj"));
            } else {
                mlp = new DenseMlpWeights(get(buffers, p + "mlp.gate_proj.weight"), get(buffers, p + "mlp.up_proj.weight"),
                        get(buffers, p + "mlp.down_proj.weight"));
            }
            layers.add(new LayerWeights(
                    get(buffers, p + "input_layernorm.weight"), get(buffers, p + "post_attention_layernorm.weight"),
                    get(buffers, p + "self_attn.q_proj.weight"), get(buffers, p + "self_attn.k_proj.weight"),
                    get(buffers, p + "self_attn.v_proj.weight"), get(buffers, p + "self_attn.o_proj.weight"),
                    get(buffers, p + "self_attn.q_norm.weight"), get(buffers, p + "self_attn.k_norm.weight"),
                    moe, mlp));
        }
        DeviceBuffer embed = get(buffers, "model.embed_tokens.weight");
        DeviceBuffer lmHead = c.tieWordEmbeddings() ? embed : get(buffers, "lm_head.weight");
        return new ModelWeights(embed, layers, get(buffers, "model.norm.weight"), lmHead, List.copyOf(buffers.values()));
    }

    private static DeviceBuffer get(Map<String, DeviceBuffer> buffers, String key) {
        DeviceBuffer b = buffers.get(key);
        if (b == null) {
            throw new IllegalStateException("no buffer for " + key);
        }
        return b;
    }
}
