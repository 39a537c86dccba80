package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;

class WeightTypePlanTest {

    private static Map<String, DType> plan(String preset, DType requested) {
        List<WeightSpec> specs = WeightLayout.of(ModelPresets.resolve(preset).withLayers(1));
        return specs.stream().collect(Collectors.toMap(WeightSpec::key, s -> WeightTypePlan.typeOf(s, requested)));
    }

    @Test
    void floatTypesApplyToEveryBuffer() {
        assertEquals(List.of(DType.BF16), plan("qwen3-tiny", DType.BF16).values().stream().distinct().toList());
    }

    @Test
    void quantizedModelsKeepNormsAndRouterInF32() {
        Map<String, DType> types = plan("qwen3-30b-a3b", DType.Q4_K);
        assertEquals(DType.F32, types.get("model.layers.0.input_layernorm.weight"));
        assertEquals(DType.F32, types.get("model.layers.0.self_attn.q_norm.weight"));
        assertEquals(DType.F32, types.get("model.norm.weight"));
        assertEquals(DType.F32, types.get("model.layers.0.mlp.gate.weight"));
        assertEquals(DType.Q4_K, types.get("model.layers.0.mlp.experts.gate_proj"));
        assertEquals(DType.Q4_K, types.get("model.layers.0.mlp.experts.down_proj"));
        assertEquals(DType.Q4_K, types.get("model.layers.0.self_attn.o_proj.weight"));
        assertEquals(DType.Q4_K, types.get("model.embed_tokens.weight"));
    }

    @Test
    void rowsThatAreNotWholeBlocksFallBack() {
        // qwen3-tiny: hidden 64 (whole 32-blocks, not 256-blocks), expert FFN 40 (not even 32-blocks)
        Map<String, DType> k = plan("qwen3-tiny", DType.Q4_K);
        assertEquals(DType.Q8_0, k.get("model.layers.0.mlp.experts.gate_proj"));
        assertEquals(DType.F16, k.get("model.layers.0.mlp.experts.down_proj"));
        Map<String, DType> q8 = plan("qwen3-tiny", DType.Q8_0);
        assertEquals(DType.Q8_0, q8.get("model.layers.0.mlp.experts.up_proj"));
        assertEquals(DType.F16, q8.get("model.layers.0.mlp.experts.down_proj"));
    }

    @Test
    void refusesNonWeightTypes() {
        WeightSpec spec = WeightLayout.of(ModelPresets.resolve("qwen3-tiny")).get(0);
        assertThrows(IllegalArgumentException.class, () -> WeightTypePlan.typeOf(spec, DType.I32));
    }
}
