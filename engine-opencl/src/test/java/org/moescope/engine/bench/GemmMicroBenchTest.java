package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;

class GemmMicroBenchTest {

    @Test
    void ggmlFlopsAreTwoMKNNused() {
        // n = 1: 2 * 768 * 2048 * 1 * 8 = 25.2 MFLOP; ggml's 27 GFLOPS at 924 µs checks out
        assertEquals(25_165_824.0, GgmlReference.flops(1));
        assertEquals(27.0, GgmlReference.flops(1) / 924e-6 / 1e9, 0.3);
        assertEquals(58.0, GgmlReference.flops(1) / 433e-6 / 1e9, 0.3);
        assertEquals(512 * GgmlReference.flops(1), GgmlReference.flops(512));
    }

    @Test
    void ggmlFiguresAreThoseOfTheIssue() {
        assertEquals(27, GgmlReference.gflops(DType.F32, 1).getAsDouble());
        assertEquals(35, GgmlReference.gflops(DType.F32, 32).getAsDouble());
        assertEquals(74, GgmlReference.gflops(DType.F32, 512).getAsDouble());
        assertEquals(58, GgmlReference.gflops(DType.F16, 1).getAsDouble());
        assertEquals(49, GgmlReference.gflops(DType.F16, 32).getAsDouble());
        assertEquals(59, GgmlReference.gflops(DType.F16, 512).getAsDouble());
        assertTrue(GgmlReference.gflops(DType.BF16, 1).isEmpty());
        assertTrue(GgmlReference.gflops(DType.F32, 7).isEmpty());
    }

    @Test
    void idsAreEightDistinctExpertsPerTokenAndReproducible() {
        int[] ids = GemmMicroBench.shuffledIds(64, 5);
        assertEquals(64 * 8, ids.length);
        boolean differ = false;
        for (int t = 0; t < 64; t++) {
            int[] row = Arrays.copyOfRange(ids, t * 8, t * 8 + 8);
            assertEquals(8, Arrays.stream(row).distinct().count(), "token " + t);
            assertTrue(Arrays.stream(row).allMatch(e -> e >= 0 && e < 128));
            differ |= t > 0 && !Arrays.equals(row, Arrays.copyOfRange(ids, 0, 8));
        }
        assertTrue(differ, "tokens choose different experts");
        assertArrayEquals(ids, GemmMicroBench.shuffledIds(64, 5));
        assertFalse(Arrays.equals(ids, GemmMicroBench.shuffledIds(64, 6)));
    }

    @Test
    void bf16IsJudgedAgainstOurF16() {
        SampleStats t = SampleStats.of(100);
        List<GemmCaseResult> raw = List.of(
                new GemmCaseResult(DType.F16, 32, "groupedGemm", true, t, 50, OptionalDouble.of(49), 1, Double.NaN),
                new GemmCaseResult(DType.BF16, 32, "groupedGemm", true, t, 45, OptionalDouble.empty(), 1, Double.NaN),
                new GemmCaseResult(DType.BF16, 512, "groupedGemm", true, t, 45, OptionalDouble.empty(), 1, Double.NaN));
        List<GemmCaseResult> judged = GemmMicroBench.withBf16Targets(raw);
        assertEquals("pass", judged.get(0).verdict());
        assertEquals(50, judged.get(1).target().getAsDouble());
        assertEquals("miss", judged.get(1).verdict());
        assertEquals("-", judged.get(2).verdict(), "no F16 figure for n = 512: no target");
    }

    @Test
    void weightBytesCountEachDistinctExpertOnce() {
        assertEquals(8L * 768 * 2048 * 4, GemmMicroBench.weightBytes(GemmMicroBench.shuffledIds(1, 3), DType.F32));
        assertEquals(3L * 768 * 2048 * 2, GemmMicroBench.weightBytes(new int[] {5, 9, 5, 1, 9, 9}, DType.BF16));
        int[] many = GemmMicroBench.shuffledIds(512, 3);
        assertEquals(128L * 768 * 2048 * 2, GemmMicroBench.weightBytes(many, DType.F16), "512 tokens touch every expert");
        // stored blocks: Q8_0 34 bytes per 32 weights, Q4_K 144 per 256
        assertEquals(3L * 768 * 2048 / 32 * 34, GemmMicroBench.weightBytes(new int[] {5, 9, 5, 1, 9, 9}, DType.Q8_0));
        assertEquals(128L * 884_736, GemmMicroBench.weightBytes(many, DType.Q4_K));
    }

    @Test
    void weightBandwidthAndItsShareOfTheSameBytesRead() {
        // 25.2 MB in 500 µs is 50.3 GB/s; against a 100 GB/s read of the same bytes, 50%
        GemmCaseResult r = new GemmCaseResult(DType.F16, 1, "expertGemv", true, SampleStats.of(400, 500, 600), 50,
                OptionalDouble.of(58), 25_165_824, 100);
        assertEquals(50.33, r.weightGBps(), 0.01);
        assertEquals(0.5033, r.sameBytesFraction(), 1e-4);
        GemmCaseResult unmeasured = new GemmCaseResult(DType.F16, 1, "expertGemv", true, SampleStats.of(500), 50,
                OptionalDouble.of(58), 25_165_824, Double.NaN);
        assertTrue(Double.isNaN(unmeasured.sameBytesFraction()));
        assertTrue(Double.isNaN(SameBytesRead.NONE.gbps(1 << 20, DType.F32, 1)));
    }

    @Test
    void smallCasesGetMoreRunsLargeOnesTheRepeats() {
        assertEquals(86, GemmMicroBench.runs(5, 25_165_824), "n = 1 F16: 2 GiB / 25 MB");
        assertEquals(5, GemmMicroBench.runs(5, 805_306_368), "n = 512 F32: 3 runs stream 2 GiB; repeats win");
        assertEquals(200, GemmMicroBench.runs(5, 1_000), "capped");
        assertEquals(300, GemmMicroBench.runs(300, 25_165_824), "never fewer than asked");
    }

    @Test
    void f16AndBf16AreTimedTogetherEveryOtherDtypeAlone() {
        assertEquals(List.of(List.of(0), List.of(1, 2)),
                GemmMicroBench.timedTogether(List.of(DType.F32, DType.F16, DType.BF16)));
        assertEquals(List.of(List.of(0, 2), List.of(1)),
                GemmMicroBench.timedTogether(List.of(DType.BF16, DType.F32, DType.F16)));
        assertEquals(List.of(List.of(0)), GemmMicroBench.timedTogether(List.of(DType.F32)));
        assertEquals(List.of(List.of(0)), GemmMicroBench.timedTogether(List.of(DType.BF16)));
    }
}
