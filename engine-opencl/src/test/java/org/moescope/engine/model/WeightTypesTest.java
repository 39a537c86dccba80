package org.moescope.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeLayerWeights;

/** The weight-type summary of a model, built on plain buffer descriptions (no device needed to name types). */
class WeightTypesTest {
    // hidden 256, 4 heads of 64 (q/o 256 x 256), 2 kv heads (k/v 128 x 256), 8 experts of inter 512
    private static final long ATTN_QO = 256L * 256;
    private static final long ATTN_KV = 128L * 256;
    private static final long EXPERTS = 8L * 512 * 256;

    private record Described(String name, DType dtype, long length) implements DeviceBuffer {
        @Override
        public void close() {
        }
    }

    private static DeviceBuffer buf(String name, DType dtype, long length) {
        return new Described(name, dtype, length);
    }

    /** A layer as a Q4_K_M file has it: Q4_K mostly, down and v in Q6_K on the layers llama.cpp favours. */
    private static LayerWeights layer(DType down, DType v) {
        DeviceBuffer norm = buf("norm", DType.F32, 256);
        MoeLayerWeights moe = new MoeLayerWeights(buf("router", DType.F32, 8L * 256), buf("gate", DType.Q4_K, EXPERTS),
                buf("up", DType.Q4_K, EXPERTS), buf("down", down, EXPERTS));
        return new LayerWeights(norm, norm, buf("q", DType.Q4_K, ATTN_QO), buf("k", DType.Q4_K, ATTN_KV),
                buf("v", v, ATTN_KV), buf("o", DType.Q4_K, ATTN_QO), buf("qn", DType.F32, 64), buf("kn", DType.F32, 64),
                moe, null);
    }

    private static ModelWeights model(List<LayerWeights> layers, DType embed, DType output) {
        DeviceBuffer e = buf("embed", embed, 1024L * 256);
        DeviceBuffer o = output == null ? e : buf("output", output, 1024L * 256);
        return new ModelWeights(e, layers, buf("norm", DType.F32, 256), o, List.of());
    }

    @Test
    void aQ4KMMixListsEachGroupsTypesMostWeightsFirst() {
        ModelWeights w = model(List.of(layer(DType.Q6_K, DType.Q6_K), layer(DType.Q4_K, DType.Q4_K),
                layer(DType.Q4_K, DType.Q4_K)), DType.Q4_K, DType.Q6_K);
        WeightTypes types = WeightTypes.of(w, "Q4_K_M");
        assertEquals(List.of(DType.Q4_K, DType.Q6_K), types.experts());
        assertEquals(List.of(DType.Q4_K, DType.Q6_K), types.attention());
        assertEquals(List.of(), types.denseMlp());
        assertEquals(DType.Q4_K, types.embedding());
        assertEquals(DType.Q6_K, types.output());
        assertEquals("Q4_K_M: experts Q4_K/Q6_K, attention Q4_K/Q6_K", types.summary());
        assertTrue(types.expertsQuantized());
        assertEquals(new WeightTypes.MoeLayerTypes(DType.F32, DType.Q4_K, DType.Q4_K, DType.Q6_K), types.moeLayers().get(0));
        assertEquals(new WeightTypes.MoeLayerTypes(DType.F32, DType.Q4_K, DType.Q4_K, DType.Q4_K), types.moeLayers().get(2));
        assertEquals(3, types.moeLayers().size());
    }

    @Test
    void theOrderFollowsTheWeightCountNotTheTypeOrder() {
        // experts: Q4_K holds gate and up of both layers (4 matrices), Q6_K the two downs
        ModelWeights mostlyQ6 = model(List.of(layer(DType.Q6_K, DType.Q6_K), layer(DType.Q6_K, DType.Q6_K)),
                DType.F16, null);
        WeightTypes types = WeightTypes.of(mostlyQ6);
        assertEquals(List.of(DType.Q4_K, DType.Q6_K), types.experts(), "4 Q4_K matrices vs 2 Q6_K");
        assertEquals(DType.F16, types.output(), "tied: the lm_head is the embedding");

        LayerWeights q6Heavy = new LayerWeights(null, null, buf("q", DType.Q6_K, ATTN_QO), buf("k", DType.Q6_K, ATTN_KV),
                buf("v", DType.Q4_K, ATTN_KV), buf("o", DType.Q6_K, ATTN_QO), null, null,
                new MoeLayerWeights(buf("router", DType.F32, 8L * 256), buf("gate", DType.Q8_0, EXPERTS), buf("up", DType.Q8_0, EXPERTS),
                        buf("down", DType.Q8_0, EXPERTS)), null);
        assertEquals(List.of(DType.Q6_K, DType.Q4_K), WeightTypes.of(model(List.of(q6Heavy), DType.Q8_0, null))
                .attention(), "Q6_K holds more attention weights here, so it comes first though Q4_K sorts before it");
    }

    @Test
    void aFloatModelHasNoLabelAndTheQ8SwitchDoesNotApply() {
        LayerWeights bf16 = new LayerWeights(null, null, buf("q", DType.BF16, ATTN_QO), buf("k", DType.BF16, ATTN_KV),
                buf("v", DType.BF16, ATTN_KV), buf("o", DType.BF16, ATTN_QO), null, null,
                new MoeLayerWeights(buf("router", DType.F32, 8L * 256), buf("gate", DType.BF16, EXPERTS), buf("up", DType.BF16, EXPERTS),
                        buf("down", DType.BF16, EXPERTS)), null);
        DenseMlpWeights mlp = new DenseMlpWeights(buf("g", DType.BF16, 4), buf("u", DType.BF16, 4), buf("d", DType.BF16, 4));
        LayerWeights dense = new LayerWeights(null, null, buf("q", DType.BF16, ATTN_QO), buf("k", DType.BF16, ATTN_KV),
                buf("v", DType.BF16, ATTN_KV), buf("o", DType.BF16, ATTN_QO), null, null, null, mlp);
        WeightTypes types = WeightTypes.of(model(List.of(dense, bf16), DType.BF16, DType.BF16), " ");
        assertEquals("experts BF16, dense MLP BF16, attention BF16", types.summary());
        assertEquals(java.util.Set.of(1), types.moeLayers().keySet(), "layer 0 is dense");
        assertFalse(types.expertsQuantized());
    }

    @Test
    void llamaCppFileTypesHaveTheirNames() {
        assertEquals("Q4_K_M", WeightTypes.fileTypeName(15));
        assertEquals("Q5_K_M", WeightTypes.fileTypeName(17));
        assertEquals("Q6_K", WeightTypes.fileTypeName(18));
        assertEquals("Q8_0", WeightTypes.fileTypeName(7));
        assertEquals("Q4_0", WeightTypes.fileTypeName(2));
        assertEquals("BF16", WeightTypes.fileTypeName(32));
        assertEquals("file type 99", WeightTypes.fileTypeName(99));
        assertEquals("file type 4294967296", WeightTypes.fileTypeName(1L << 32));
    }

    @Test
    void partlyQuantizedExpertsDoNotCountAsQuantized() {
        WeightTypes mixed = WeightTypes.of(model(List.of(layer(DType.F16, DType.Q4_K)), DType.Q4_K, null));
        assertEquals(List.of(DType.Q4_K, DType.F16), mixed.experts());
        assertFalse(mixed.expertsQuantized(), "one float down matrix: the block takes float activations there");
    }
}
