package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeLayerWeights;

/**
 * The stored types of a loaded model's weights, by group, for the model line of the app and the CLI, e.g.
 * "Q4_K_M: experts Q4_K/Q6_K, attention Q4_K/Q6_K". Each group lists its types by the number of weights they hold,
 * most first (ties in {@link DType} order). Norms are left out: every format keeps them in float.
 *
 * @param fileType  the file's own name for its mix ("Q4_K_M", a GGUF file's general.file_type), or null
 * @param experts   types of the MoE experts' gate, up and down matrices (empty for a model without MoE layers)
 * @param attention types of the q, k, v and o projections
 * @param denseMlp  types of the dense MLP layers' matrices (empty when every layer is MoE)
 * @param embedding type of the token embedding
 * @param output    type of the lm_head (the embedding's when they are tied)
 * @param moeLayers the types of each MoE layer's matrices, by decoder layer (what a stage of that layer reads)
 * @param attentionLayers the types of each layer's q, k, v and o projections, by decoder layer
 */
public record WeightTypes(String fileType, List<DType> experts, List<DType> attention, List<DType> denseMlp,
                          DType embedding, DType output, Map<Integer, MoeLayerTypes> moeLayers,
                          Map<Integer, AttentionTypes> attentionLayers) {

    /** The stored types of one MoE layer: router {@code [E, h]}, gate and up {@code [E, inter, h]}, down. */
    public record MoeLayerTypes(DType router, DType gate, DType up, DType down) {
    }

    /** The stored types of one layer's attention projections. */
    public record AttentionTypes(DType q, DType k, DType v, DType o) {
    }

    public WeightTypes {
        experts = List.copyOf(experts);
        attention = List.copyOf(attention);
        denseMlp = List.copyOf(denseMlp);
        moeLayers = Map.copyOf(moeLayers);
        attentionLayers = Map.copyOf(attentionLayers);
    }

    /** The types of {@code weights}, without a file-type label. */
    public static WeightTypes of(ModelWeights weights) {
        return of(weights, null);
    }

    /** The types of {@code weights}, with the file's label for its mix (null or blank when it has none). */
    public static WeightTypes of(ModelWeights weights, String fileType) {
        Map<DType, Long> experts = new EnumMap<>(DType.class);
        Map<DType, Long> attention = new EnumMap<>(DType.class);
        Map<DType, Long> dense = new EnumMap<>(DType.class);
        Map<Integer, MoeLayerTypes> moeLayers = new HashMap<>();
        Map<Integer, AttentionTypes> attentionLayers = new HashMap<>();
        for (int l = 0; l < weights.layers().size(); l++) {
            LayerWeights layer = weights.layers().get(l);
            count(attention, layer.q(), layer.k(), layer.v(), layer.o());
            attentionLayers.put(l, new AttentionTypes(layer.q().dtype(), layer.k().dtype(), layer.v().dtype(),
                    layer.o().dtype()));
            MoeLayerWeights moe = layer.moe();
            if (moe != null) {
                count(experts, moe.gate(), moe.up(), moe.down());
                moeLayers.put(l, new MoeLayerTypes(moe.router().dtype(), moe.gate().dtype(), moe.up().dtype(),
                        moe.down().dtype()));
            }
            DenseMlpWeights mlp = layer.mlp();
            if (mlp != null) {
                count(dense, mlp.gate(), mlp.up(), mlp.down());
            }
        }
        String label = fileType == null || fileType.isBlank() ? null : fileType.trim();
        return new WeightTypes(label, byWeightCount(experts), byWeightCount(attention), byWeightCount(dense),
                weights.embed().dtype(), weights.lmHead().dtype(), moeLayers, attentionLayers);
    }

    /**
     * The name llama.cpp gives a GGUF file's {@code general.file_type} (its {@code llama_ftype}), e.g. 15 ->
     * "Q4_K_M", for the {@code fileType} label; "file type N" for a value it does not name here.
     */
    public static String fileTypeName(long fileType) {
        return switch ((int) Math.min(Integer.MAX_VALUE, Math.max(Integer.MIN_VALUE, fileType))) {
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 32 -> "BF16";
            default -> "file type " + fileType;
        };
    }

    /** Whether the Q8 activations switch takes effect: the model has experts and all of them are quantized. */
    public boolean expertsQuantized() {
        return !experts.isEmpty() && experts.stream().allMatch(DType::isQuantized);
    }

    /** "Q4_K_M: experts Q4_K/Q6_K, attention Q4_K/Q6_K" (the dense MLP group only when the model has one). */
    public String summary() {
        List<String> groups = new ArrayList<>();
        group(groups, "experts", experts);
        group(groups, "dense MLP", denseMlp);
        group(groups, "attention", attention);
        String body = String.join(", ", groups);
        return fileType == null ? body : fileType + ": " + body;
    }

    private static void group(List<String> out, String name, List<DType> types) {
        if (!types.isEmpty()) {
            out.add(name + " " + String.join("/", types.stream().map(DType::name).toList()));
        }
    }

    private static void count(Map<DType, Long> counts, DeviceBuffer... buffers) {
        for (DeviceBuffer b : buffers) {
            counts.merge(b.dtype(), b.length(), Long::sum);
        }
    }

    private static List<DType> byWeightCount(Map<DType, Long> counts) {
        List<DType> types = new ArrayList<>(counts.keySet()); // EnumMap: DType order, kept by the stable sort
        types.sort((a, b) -> Long.compare(counts.get(b), counts.get(a)));
        return types;
    }
}
