package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.Phase;

/** The bench end to end on the Java reference backend at a tiny shape (no timing is asserted, only structure). */
class MoeLayerBenchTest {
    private static final MoeShape TINY = new MoeShape(16, 8, 12, 3, true);
    private static final List<Workload> WORKLOADS = List.of(new Workload(Phase.DECODE, 1),
            new Workload(Phase.BATCHED_DECODE, 4), new Workload(Phase.PREFILL, 6));

    private static List<WorkloadResult> fixed;
    private static BenchReport report;

    @BeforeAll
    static void runAllVariantsOnce() {
        BenchSettings settings = new BenchSettings("tiny", TINY, 2, DType.BF16, WORKLOADS,
                MoeOptions.allSwitchCombinations(false), 1, 4, RoutingMode.FIXED, 3);
        try (JavaBackend backend = new JavaBackend()) {
            fixed = new MoeLayerBench(backend, settings, null).run();
            report = new BenchReport("now", backend.device(), backend.kind(), new HostLoad(2, 1.5, 2.5),
                    new HostPages("madvise", "glibc.malloc.hugetlb=1", 6L << 20), settings,
                    DeviceRoofline.javaHeapRead(1 << 20, 2), fixed, List.of(), List.of());
        }
    }

    private static List<WorkloadResult> run(RoutingMode routing, List<Workload> workloads) {
        BenchSettings settings = new BenchSettings("tiny", TINY, 2, DType.F32, workloads,
                List.of(MoeOptions.DEFAULT), 0, 6, routing, 11);
        try (JavaBackend backend = new JavaBackend()) {
            return new MoeLayerBench(backend, settings, null).run();
        }
    }

    @Test
    void fixedRoutingChoosesTheSameExpertsEveryRepeat() {
        for (WorkloadResult w : fixed) {
            for (VariantResult v : w.variants()) {
                List<int[]> sets = v.layer0Experts();
                assertEquals(4, sets.size());
                for (int[] s : sets) {
                    assertTrue(Arrays.equals(sets.get(0), s), w.workload().label() + " " + v.options().label());
                }
            }
        }
    }

    @Test
    void randomRoutingChoosesFreshExpertsAcrossRepeats() {
        List<WorkloadResult> random = run(RoutingMode.RANDOM, List.of(new Workload(Phase.DECODE, 1)));
        Set<String> sets = new HashSet<>();
        for (int[] s : random.get(0).variants().get(0).layer0Experts()) {
            assertEquals(TINY.topK(), s.length, "decode touches exactly k experts");
            sets.add(Arrays.toString(s));
        }
        assertTrue(sets.size() > 1, "6 random repeats chose one expert set: " + sets);
    }

    @Test
    void everyWorkloadHasEveryVariantWithExactlyTheBlocksStages() {
        assertEquals(WORKLOADS.size(), fixed.size());
        for (WorkloadResult w : fixed) {
            assertEquals(8, w.variants().size());
            for (VariantResult v : w.variants()) {
                List<String> stages = v.stages().stream().map(StageResult::stage).toList();
                assertEquals(StageWork.stagesOf(w.workload().phase(), v.options()), stages,
                        w.workload().label() + " " + v.options().label());
                for (StageResult s : v.stages()) {
                    assertEquals(4 * 2, s.micros().count(), "repeats x layers samples of " + s.stage());
                    assertTrue(s.modelled());
                }
            }
        }
    }

    @Test
    void bytesFollowTheDistinctExpertsTheRoutingTouched() {
        for (WorkloadResult w : fixed) {
            for (VariantResult v : w.variants()) {
                int tokens = w.workload().tokens();
                double distinct = v.distinctExperts();
                assertTrue(distinct >= TINY.topK() && distinct <= Math.min(TINY.experts(), tokens * TINY.topK()));
                if (w.workload().phase() == Phase.DECODE) {
                    assertEquals(TINY.topK(), distinct);
                    if (v.options().fusedGateUpSilu()) {
                        assertEquals(2L * TINY.topK() * TINY.inter() * TINY.hidden() * 2,
                                v.stage("gate_up_silu").weightBytes());
                    }
                }
                long matrix = (long) TINY.inter() * TINY.hidden() * DType.BF16.bytes();
                long down = v.stage("down").weightBytes();
                assertTrue(down >= TINY.topK() * matrix && down <= Math.min(TINY.experts(), tokens * TINY.topK()) * matrix,
                        "down bytes " + down);
                assertEquals(StageWork.layerFlops(TINY, tokens), v.layerFlops());
                assertEquals(w.workload().phase() == Phase.PREFILL, v.gemmTiles() >= 0);
            }
        }
    }

    @Test
    void directDispatchWithDeviceRoutingLaunchesTheWorstCaseGrid() {
        WorkloadResult prefill = fixed.get(2);
        long worstCase = -1;
        long others = 0;
        for (VariantResult v : prefill.variants()) {
            if (v.options().directDispatch() && !v.options().hostTopk()) {
                worstCase = v.gemmTiles();
            } else {
                others = Math.max(others, v.gemmTiles());
            }
        }
        // the host does not know the largest expert count, so it sizes every expert for all T * k pairs
        int tileRows = new JavaBackend().groupedGemmTileRows();
        int pairs = prefill.workload().tokens() * TINY.topK();
        assertEquals((long) TINY.experts() * ((pairs + tileRows - 1) / tileRows), worstCase);
        assertTrue(worstCase >= others, worstCase + " vs " + others);
    }

    @Test
    void jsonHasEveryWorkloadVariantAndStage() {
        JsonObject root = JsonParser.parseString(BenchJson.toJson(report)).getAsJsonObject();
        assertEquals(BenchJson.FORMAT, root.get("format").getAsInt());
        assertEquals(2.5, root.getAsJsonObject("host").get("load_average_end").getAsDouble());
        JsonObject pages = root.getAsJsonObject("host_pages");
        assertEquals("madvise", pages.get("transparent_huge_pages").getAsString());
        assertTrue(pages.get("malloc_huge_pages_requested").getAsBoolean());
        assertEquals(6L << 20, pages.get("peak_huge_page_bytes").getAsLong());
        assertEquals("fixed", root.getAsJsonObject("settings").get("routing").getAsString());
        assertEquals(2, root.getAsJsonObject("settings").get("layers").getAsInt());
        assertTrue(root.getAsJsonObject("roofline").get("read_f32_gbps").getAsDouble() > 0);
        assertTrue(root.getAsJsonObject("roofline").get("fp32_gflops").isJsonNull(), "Java peak is not measured");
        JsonArray workloads = root.getAsJsonArray("workloads");
        assertEquals(WORKLOADS.size(), workloads.size());
        for (int i = 0; i < workloads.size(); i++) {
            JsonObject w = workloads.get(i).getAsJsonObject();
            Workload expected = WORKLOADS.get(i);
            assertEquals(expected.label(), w.get("label").getAsString());
            JsonArray variants = w.getAsJsonArray("variants");
            Set<String> labels = new HashSet<>();
            for (var ve : variants) {
                JsonObject v = ve.getAsJsonObject();
                labels.add(v.get("label").getAsString());
                MoeOptions o = new MoeOptions(v.get("fused_gate_up_silu").getAsBoolean(),
                        v.get("host_topk").getAsBoolean(), v.get("direct_dispatch").getAsBoolean(), false,
                        v.get("q8_activations").getAsBoolean());
                assertEquals(o.label(), v.get("label").getAsString());
                assertTrue(v.getAsJsonObject("wall_us").get("median").getAsDouble() > 0);
                assertTrue(v.has("vs_default"));
                assertTrue(v.get("read_bandwidth_fraction").getAsDouble() > 0);
                List<String> stages = new ArrayList<>();
                for (var se : v.getAsJsonArray("stages")) {
                    JsonObject s = se.getAsJsonObject();
                    stages.add(s.get("stage").getAsString());
                    assertEquals(8, s.getAsJsonObject("us").get("count").getAsInt());
                    boolean readsWeights = s.get("weight_bytes").getAsLong() > 0;
                    assertEquals(readsWeights, !s.get("gbps").isJsonNull(), s.get("stage").getAsString());
                }
                assertEquals(StageWork.stagesOf(expected.phase(), o), stages);
            }
            assertEquals(8, labels.size());
        }
        assertEquals(0, root.getAsJsonObject("mul_mat_id").getAsJsonArray("results").size());
    }

    @Test
    void textReportNamesEveryWorkloadAndVariant() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BenchText.print(report, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        for (Workload w : WORKLOADS) {
            assertTrue(text.contains("== " + w.label()), w.label());
        }
        for (MoeOptions o : MoeOptions.allSwitchCombinations(false)) {
            assertTrue(text.contains(BenchText.shortLabel(o)), o.label());
        }
        assertTrue(text.contains("routing fixed"));
        assertTrue(text.contains("host memory: transparent huge pages madvise, glibc.malloc.hugetlb requested; "
                + "peak 6 MiB of this process seen on them"), text);
        assertFalse(text.contains("NaN"));
    }
}
