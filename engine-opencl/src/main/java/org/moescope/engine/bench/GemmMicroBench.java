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
 * it belongs to routing). F16 and BF16 are timed interleaved ({@link InterleavedBlocks}), so that the BF16 to F16
 * ratio is of the same minutes.
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
    private boolean q8Activations;

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

    /**
     * Quantized weights take Q8_0 activations: each timed call quantizes x first ({@link Backend#quantizeQ8}), as
     * ggml's MUL_MAT_ID converts its F32 input to the weight type's dot-product type inside the op it times.
     */
    public GemmMicroBench useQ8Activations(boolean on) {
        this.q8Activations = on;
        return this;
    }

    public List<GemmCaseResult> run() {
        List<GemmCaseResult> results = new ArrayList<>();
        // every dtype's weights at once, so that F16 and BF16 can be timed interleaved (timedTogether)
        List<DeviceBuffer> weights = new ArrayList<>();
        try {
            for (DType dtype : dtypes) {
                DeviceBuffer w = backend.allocate("ggml.as." + dtype, dtype,
                        (long) GgmlReference.N_MATS * GgmlReference.M * GgmlReference.K);
                weights.add(w);
                backend.fillRandom(w, seed, (float) (1 / Math.sqrt(GgmlReference.K)));
            }
            for (int n : ns) {
                progress.accept("MUL_MAT_ID n=" + n + ": " + dtypes);
                results.addAll(runCase(n, weights));
            }
        } finally {
            weights.forEach(DeviceBuffer::close);
        }
        // reported dtype by dtype, in the order asked for, each with its n in order
        results.sort(java.util.Comparator.comparingInt(r -> dtypes.indexOf(r.dtype())));
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
        return Arrays.stream(ids).distinct().count() * dtype.bytesOf((long) GgmlReference.M * GgmlReference.K);
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

    /**
     * Indices of {@code dtypes} in the groups they are timed in: F16 and BF16 together, interleaved, because BF16 is
     * judged against F16 of the same run; every other dtype alone, back to back, because it is judged against ggml's
     * figure. (F32 at n = 1 reads 50 MB, more than a 32 MB L3 holds: back to back, part of it stays in the L3 from
     * one call to the next, as in ggml's test; timed between the other dtypes' blocks it took 0.8-1.5x as long in three
     * alternated pairs.)
     */
    static List<List<Integer>> timedTogether(List<DType> dtypes) {
        List<List<Integer>> groups = new ArrayList<>();
        List<Integer> halves = new ArrayList<>();
        for (int d = 0; d < dtypes.size(); d++) {
            if (dtypes.get(d) == DType.F16 || dtypes.get(d) == DType.BF16) {
                if (halves.isEmpty()) {
                    groups.add(halves);
                }
                halves.add(d);
            } else {
                groups.add(List.of(d));
            }
        }
        return groups;
    }

    /** Rounds over which the dtypes of a case are interleaved (fewer when a case has fewer calls). */
    static final int ROUNDS = 5;

    private List<GemmCaseResult> runCase(int n, List<DeviceBuffer> weights) {
        int e = GgmlReference.N_MATS;
        int k = GgmlReference.N_USED;
        int m = GgmlReference.M;
        int kDim = GgmlReference.K;
        int pairs = n * k;
        int tileRows = backend.groupedGemmTileRows();
        int maxTiles = DispatchPlan.maxTiles(pairs, e, tileRows);
        List<GemmCaseResult> results = new ArrayList<>();
        int[] caseIds = shuffledIds(n, seed + n);
        double[] readBefore = sameBytesReads(caseIds);
        try (DeviceBuffer x = backend.allocate("ggml.b", DType.F32, (long) pairs * kDim);
             DeviceBuffer out = backend.allocate("ggml.out", DType.F32, (long) pairs * m);
             DeviceBuffer ids = backend.allocate("ggml.ids", DType.I32, pairs);
             DeviceBuffer counts = backend.allocate("ggml.counts", DType.I32, e);
             DeviceBuffer offsets = backend.allocate("ggml.offsets", DType.I32, e + 1L);
             DeviceBuffer sorted = backend.allocate("ggml.sortedPairs", DType.I32, pairs);
             DeviceBuffer workList = backend.allocate("ggml.workList", DType.I32, 2L * maxTiles + 1);
             DeviceBuffer xq = backend.allocate("ggml.b.q8", DType.Q8_0, (long) pairs * kDim)) {
            backend.fillRandom(x, seed + 1, 1.0f);
            backend.write(ids, caseIds);
            backend.buildDispatch(ids, counts, offsets, sorted, workList, n, e, k, tileRows);
            backend.finish();
            for (List<Integer> group : timedTogether(dtypes)) {
                List<DType> types = group.stream().map(dtypes::get).toList();
                List<DeviceBuffer> ws = group.stream().map(weights::get).toList();
                if (n == 1 || bothKernels) {
                    results.addAll(time(n, "expertGemv", n == 1, caseIds, types, ws.stream().<Runnable>map(w ->
                            () -> backend.expertGemv(input(x, xq, w, pairs, kDim), 1, w, ids, out, pairs, e, kDim, m))
                            .toList()));
                }
                if (n > 1 || bothKernels) {
                    results.addAll(time(n, "groupedGemm", n > 1, caseIds, types, ws.stream().<Runnable>map(w ->
                            () -> backend.groupedGemm(input(x, xq, w, pairs, kDim), 1, w, out, counts, offsets, sorted,
                                    workList, n, k, e, kDim, m, pairs)).toList()));
                }
            }
        }
        // Just before and right after the kernels, so that all see the memory (and the caches' other tenants) of the
        // same minutes; the better of the two, as for the roofs, so that the kernels' share of it is not flattered.
        double[] readAfter = sameBytesReads(caseIds);
        return results.stream().map(r -> {
            int d = dtypes.indexOf(r.dtype());
            return r.withSameBytesGBps(DeviceRoofline.maxIgnoringNaN(readBefore[d], readAfter[d]));
        }).toList();
    }

    /** The x a call takes: F32, or with Q8 activations on quantized weights x quantized now into xq. */
    private DeviceBuffer input(DeviceBuffer x, DeviceBuffer xq, DeviceBuffer w, int rows, int kDim) {
        if (!q8Activations || !w.dtype().isQuantized()) {
            return x;
        }
        backend.quantizeQ8(x, xq, rows, kDim);
        return xq;
    }

    /** GB/s of a plain read of each dtype's weight bytes of the case. */
    private double[] sameBytesReads(int[] caseIds) {
        double[] gbps = new double[dtypes.size()];
        for (int d = 0; d < gbps.length; d++) {
            long bytes = weightBytes(caseIds, dtypes.get(d));
            gbps[d] = sameBytesRead.gbps(bytes, dtypes.get(d), runs(repeats, bytes));
        }
        return gbps;
    }

    /**
     * Times one kernel of a case for the dtypes of one {@link #timedTogether} group ({@code calls.get(d)} runs it on
     * {@code group.get(d)}'s weights), interleaved by {@link InterleavedBlocks}. Each block starts with one untimed call, so that its timed calls find
     * the caches as back-to-back calls of one dtype leave them (fixed experts, as ggml's test), not as the other
     * dtype's block did.
     */
    private List<GemmCaseResult> time(int n, String kernel, boolean enginePath, int[] caseIds, List<DType> group,
                                      List<Runnable> calls) {
        int types = group.size();
        int[] runs = new int[types];
        DeviceInterval[][] spans = new DeviceInterval[types][];
        for (int d = 0; d < types; d++) {
            runs[d] = runs(repeats, weightBytes(caseIds, group.get(d)));
            spans[d] = new DeviceInterval[runs[d]];
            for (int i = 0; i < warmup; i++) {
                calls.get(d).run();
            }
        }
        backend.finish();
        int[] done = new int[types];
        for (InterleavedBlocks.Block block : InterleavedBlocks.of(runs, ROUNDS)) {
            int d = block.item();
            if (types > 1) {
                calls.get(d).run();
                backend.finish();
            }
            for (int r = 0; r < block.calls(); r++) {
                backend.beginTiming();
                calls.get(d).run();
                spans[d][done[d]++] = backend.endTiming();
            }
        }
        backend.finish();
        List<GemmCaseResult> results = new ArrayList<>();
        for (int d = 0; d < types; d++) {
            double[] micros = new double[runs[d]];
            for (int r = 0; r < runs[d]; r++) {
                micros[r] = (spans[d][r].endNanos() - spans[d][r].startNanos()) / 1e3;
            }
            SampleStats stats = SampleStats.of(micros);
            double gflops = GgmlReference.flops(n) / (Math.max(stats.median(), 1e-3) * 1e3);
            DType dtype = group.get(d);
            results.add(new GemmCaseResult(dtype, n, kernel, enginePath, stats, gflops, GgmlReference.gflops(dtype, n),
                    weightBytes(caseIds, dtype), Double.NaN));
        }
        return results;
    }
}
