package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.Consumer;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.moe.DispatchPlan;

/**
 * ggml's test-backend-ops MUL_MAT_ID case at one Qwen3-30B-A3B gate projection, on our kernels:
 * weights {@code [128, 768, 2048]}, n tokens each with 8 distinct experts drawn once (ggml shuffles the experts per
 * row and keeps the ids across repeats), and, as ggml's {@code b = false}, one F32 input row of 2048 per (token,
 * slot) pair. {@code expertGemv} is what decode and batched decode run; {@code groupedGemm} with a device-built
 * work list is what prefill runs. Times are device spans of the kernel alone (the dispatch is built once, untimed:
 * it belongs to routing).
 */
public final class GemmMicroBench {
    private final Backend backend;
    private final List<DType> dtypes;
    private final int[] ns;
    private final boolean bothKernels;
    private final int warmup;
    private final int repeats;
    private final long seed;
    private final Consumer<String> progress;
    private final SameBytesRead sameBytesRead;

    /**
     * @param bothKernels   also time the kernel the engine does not use for n (GEMV at n > 1, grouped GEMM at n = 1)
     * @param sameBytesRead measures a plain read of each case's weight bytes right after the case
     */
    public GemmMicroBench(Backend backend, List<DType> dtypes, int[] ns, boolean bothKernels, int warmup, int repeats,
                          long seed, Consumer<String> progress, SameBytesRead sameBytesRead) {
        if (dtypes.isEmpty() || dtypes.contains(DType.I32)) {
            throw new IllegalArgumentException("dtypes must be a non-empty list of F32, F16, BF16, got " + dtypes);
        }
        if (ns.length == 0) {
            throw new IllegalArgumentException("ns must not be empty");
        }
        for (int n : ns) {
            if (n < 1) {
                throw new IllegalArgumentException("ns must be >= 1, got " + n);
            }
        }
        if (warmup < 0 || repeats < 1) {
            throw new IllegalArgumentException("warmup must be >= 0 and repeats >= 1, got " + warmup + ", " + repeats);
        }
        this.backend = backend;
        this.dtypes = List.copyOf(dtypes);
        this.ns = ns.clone();
        this.bothKernels = bothKernels;
        this.warmup = warmup;
        this.repeats = repeats;
        this.seed = seed;
        this.progress = progress == null ? s -> { } : progress;
        this.sameBytesRead = sameBytesRead == null ? SameBytesRead.NONE : sameBytesRead;
    }

    public List<GemmCaseResult> run() {
        List<GemmCaseResult> results = new ArrayList<>();
        for (DType dtype : dtypes) {
            try (DeviceBuffer w = backend.allocate("ggml.as", dtype,
                    (long) GgmlReference.N_MATS * GgmlReference.M * GgmlReference.K)) {
                backend.fillRandom(w, seed, (float) (1 / Math.sqrt(GgmlReference.K)));
                for (int n : ns) {
                    progress.accept("MUL_MAT_ID " + dtype + " n=" + n);
                    results.addAll(runCase(dtype, n, w));
                }
            }
        }
        return withBf16Targets(results);
    }

    /** BF16 has no ggml figure: its target is our F16 figure for the same n and kernel, when measured. */
    static List<GemmCaseResult> withBf16Targets(List<GemmCaseResult> results) {
        List<GemmCaseResult> out = new ArrayList<>();
        for (GemmCaseResult r : results) {
            if (r.dtype() == DType.BF16) {
                OptionalDouble f16 = results.stream()
                        .filter(o -> o.dtype() == DType.F16 && o.n() == r.n() && o.kernel().equals(r.kernel()))
                        .mapToDouble(GemmCaseResult::gflops).findFirst();
                out.add(r.withTarget(f16));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Timed calls of a case: at least {@code repeats}, and as many as stream {@link #TARGET_BYTES} of weights, at
     * most {@link #MAX_RUNS}. As ggml's perf mode (which sizes its runs by the op's memory), a case of a few hundred
     * µs gets enough back-to-back calls that its median is not one scheduler hiccup of a CPU device's worker threads.
     */
    static int runs(int repeats, long weightBytes) {
        long byBytes = (TARGET_BYTES + weightBytes - 1) / Math.max(1, weightBytes);
        return (int) Math.max(repeats, Math.min(MAX_RUNS, byBytes));
    }

    /** Weight bytes the timed calls of one case stream at least (unless MAX_RUNS stops them first). */
    static final long TARGET_BYTES = 2L << 30;
    static final int MAX_RUNS = 200;

    /** Bytes of the distinct experts' {@code [768, 2048]} matrices that {@code ids} select, each read once. */
    static long weightBytes(int[] ids, DType dtype) {
        return Arrays.stream(ids).distinct().count() * GgmlReference.M * GgmlReference.K * dtype.bytes();
    }

    /** Per token, the first 8 of a seeded shuffle of the 128 experts: distinct experts, as ggml draws them. */
    static int[] shuffledIds(int tokens, long seed) {
        Random random = new Random(seed);
        int[] ids = new int[tokens * GgmlReference.N_USED];
        int[] perm = new int[GgmlReference.N_MATS];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < perm.length; i++) {
                perm[i] = i;
            }
            for (int i = perm.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
            System.arraycopy(perm, 0, ids, t * GgmlReference.N_USED, GgmlReference.N_USED);
        }
        return ids;
    }

    private List<GemmCaseResult> runCase(DType dtype, int n, DeviceBuffer w) {
        int e = GgmlReference.N_MATS;
        int k = GgmlReference.N_USED;
        int m = GgmlReference.M;
        int kDim = GgmlReference.K;
        int pairs = n * k;
        int tileRows = backend.groupedGemmTileRows();
        int maxTiles = DispatchPlan.maxTiles(pairs, e, tileRows);
        List<GemmCaseResult> results = new ArrayList<>();
        int[] caseIds = shuffledIds(n, seed + n);
        long weightBytes = weightBytes(caseIds, dtype);
        double readBefore = sameBytesRead.gbps(weightBytes, dtype, runs(repeats, weightBytes));
        try (DeviceBuffer x = backend.allocate("ggml.b", DType.F32, (long) pairs * kDim);
             DeviceBuffer out = backend.allocate("ggml.out", DType.F32, (long) pairs * m);
             DeviceBuffer ids = backend.allocate("ggml.ids", DType.I32, pairs);
             DeviceBuffer counts = backend.allocate("ggml.counts", DType.I32, e);
             DeviceBuffer offsets = backend.allocate("ggml.offsets", DType.I32, e + 1L);
             DeviceBuffer sorted = backend.allocate("ggml.sortedPairs", DType.I32, pairs);
             DeviceBuffer workList = backend.allocate("ggml.workList", DType.I32, 2L * maxTiles + 1)) {
            backend.fillRandom(x, seed + 1, 1.0f);
            backend.write(ids, caseIds);
            backend.buildDispatch(ids, counts, offsets, sorted, workList, n, e, k, tileRows);
            backend.finish();
            if (n == 1 || bothKernels) {
                results.add(time(dtype, n, "expertGemv", n == 1, weightBytes,
                        () -> backend.expertGemv(x, 1, w, ids, out, pairs, e, kDim, m)));
            }
            if (n > 1 || bothKernels) {
                results.add(time(dtype, n, "groupedGemm", n > 1, weightBytes,
                        () -> backend.groupedGemm(x, 1, w, out, counts, offsets, sorted, workList, n, k, e, kDim, m,
                                pairs)));
            }
        }
        // Just before and right after the kernels, so that all see the memory (and the caches' other tenants) of the
        // same minute; the better of the two, as for the roofs, so that the kernels' share of it is not flattered.
        double readAfter = sameBytesRead.gbps(weightBytes, dtype, runs(repeats, weightBytes));
        double readGBps = DeviceRoofline.maxIgnoringNaN(readBefore, readAfter);
        return results.stream().map(r -> r.withSameBytesGBps(readGBps)).toList();
    }

    private GemmCaseResult time(DType dtype, int n, String kernel, boolean enginePath, long weightBytes,
                                Runnable call) {
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        backend.finish();
        int runs = runs(repeats, weightBytes);
        DeviceInterval[] spans = new DeviceInterval[runs];
        for (int r = 0; r < runs; r++) {
            backend.beginTiming();
            call.run();
            spans[r] = backend.endTiming();
        }
        backend.finish();
        double[] micros = new double[runs];
        for (int r = 0; r < runs; r++) {
            micros[r] = (spans[r].endNanos() - spans[r].startNanos()) / 1e3;
        }
        SampleStats stats = SampleStats.of(micros);
        double gflops = GgmlReference.flops(n) / (Math.max(stats.median(), 1e-3) * 1e3);
        return new GemmCaseResult(dtype, n, kernel, enginePath, stats, gflops, GgmlReference.gflops(dtype, n),
                weightBytes, Double.NaN);
    }
}
