package org.moescope.engine.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.moe.MoeLayerWeights;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.Profiler;
import org.moescope.engine.profile.StageSpan;

/**
 * The MoE layer benchmark: synthetic layers at a real shape run through {@link MoeBlock} on one backend.
 *
 * <p>For each workload: {@code warmup} untimed calls of every switch combination, then {@code repeats} rounds timed
 * with profiling off (host wall time around all layers, ended by {@link Backend#finish()}: the honest total, with no
 * events), then {@code repeats} rounds with a live {@link Profiler} for per-stage device spans; each round runs every
 * variant once, so load drift on a shared machine hits all variants alike. After each profiled layer call the routing
 * is read back (outside every timed window) to count the distinct experts it touched. Every layer gets the same normed
 * input {@code x}; repeat {@code r} of every variant uses the same input, so variants see the same expert choices.
 */
public final class MoeLayerBench {
    private static final float EPS = 1e-6f;

    private final Backend backend;
    private final BenchSettings settings;
    private final Consumer<String> progress;

    public MoeLayerBench(Backend backend, BenchSettings settings, Consumer<String> progress) {
        if (backend == null) {
            throw new IllegalArgumentException("backend must not be null");
        }
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        this.backend = backend;
        this.settings = settings;
        this.progress = progress == null ? s -> { } : progress;
    }

    /** Runs every workload × variant; allocates the layers and scratch once and frees them at the end. */
    public List<WorkloadResult> run() {
        MoeShape shape = settings.shape();
        int maxTokens = settings.maxTokens();
        long h = shape.hidden();
        progress.accept(String.format(java.util.Locale.ROOT, "making %d synthetic %s layer(s) on the device (%.2f GB)",
                settings.layers(), settings.dtype(), settings.layers() * layerBytes(shape, settings.dtype()) / 1e9));
        try (SyntheticMoeLayers layers = new SyntheticMoeLayers(backend, shape, settings.dtype(), settings.layers(),
                settings.seed());
             MoeBlock block = new MoeBlock(backend, shape, maxTokens);
             Activations act = new Activations(backend, maxTokens * h, h)) {
            List<WorkloadResult> results = new ArrayList<>();
            for (Workload w : settings.workloads()) {
                results.add(measure(w, layers, block, act));
            }
            return results;
        }
    }

    private static double layerBytes(MoeShape s, DType dtype) {
        return (double) dtype.bytesOf((long) s.experts() * s.hidden()) * (1 + 3.0 * s.inter());
    }

    /**
     * One workload, every variant. Variants are interleaved within each repeat (repeat r of variant 1, of variant 2,
     * ..., then repeat r + 1), so that drift in the machine's load spreads over all variants alike instead of
     * favouring whichever ran in a quiet minute.
     */
    private WorkloadResult measure(Workload w, SyntheticMoeLayers layers, MoeBlock block, Activations act) {
        List<MoeOptions> variants = settings.variants();
        List<VariantSamples> samples = new ArrayList<>();
        for (MoeOptions v : variants) {
            progress.accept(w.label() + "  warm-up " + v.label());
            for (int r = -settings.warmup(); r < 0; r++) {
                setInput(r, act);
                runLayers(w, v, layers, block, act, Profiler.OFF);
            }
            samples.add(new VariantSamples(settings.repeats(), settings.layers()));
        }
        backend.finish();
        progress.accept(w.label() + "  wall time, " + settings.repeats() + " rounds over " + variants.size()
                + " variant(s)");
        for (int r = 0; r < settings.repeats(); r++) {
            for (int i = 0; i < variants.size(); i++) {
                samples.get(i).wall[r] = wallMicrosPerLayer(w, variants.get(i), r, layers, block, act);
            }
        }
        progress.accept(w.label() + "  stage times, " + settings.repeats() + " rounds");
        for (int r = 0; r < settings.repeats(); r++) {
            for (int i = 0; i < variants.size(); i++) {
                profiledRepeat(w, variants.get(i), r, layers, block, act, samples.get(i));
            }
        }
        List<VariantResult> results = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            results.add(samples.get(i).result(variants.get(i), w));
        }
        return new WorkloadResult(w, results);
    }

    private double wallMicrosPerLayer(Workload w, MoeOptions options, int r, SyntheticMoeLayers layers,
                                      MoeBlock block, Activations act) {
        setInput(r, act);
        backend.finish();
        long t0 = System.nanoTime();
        runLayers(w, options, layers, block, act, Profiler.OFF);
        backend.finish();
        return (System.nanoTime() - t0) / 1e3 / layers.count();
    }

    /** Repeat r with stage spans; after each layer the routing is read back (outside every timing window). */
    private void profiledRepeat(Workload w, MoeOptions options, int r, SyntheticMoeLayers layers, MoeBlock block,
                                Activations act, VariantSamples out) {
        MoeShape shape = settings.shape();
        int n = layers.count();
        int pairs = w.tokens() * shape.topK();
        Profiler profiler = Profiler.on(backend);
        setInput(r, act);
        backend.finish();
        MoeOptions profiled = options.withProfiling(true);
        profiler.beginStep(w.phase(), w.tokens(), profiled);
        int[] distinct = new int[n];
        for (int l = 0; l < n; l++) {
            callLayer(w, profiled, layers.layer(l), block, act, profiler, l);
            LayerRouting routing = block.lastRouting(l, false);
            distinct[l] = StageWork.distinctExperts(routing.ids(), pairs, shape.experts());
            if (l == 0) {
                out.layer0.add(sortedDistinct(routing.ids(), pairs));
                if (w.phase() == Phase.PREFILL) {
                    out.tiles = block.lastGemmTiles();
                }
            }
        }
        for (StageSpan span : profiler.endStep()) {
            double micros = span.durationNanos() / 1e3;
            StageWork work = StageWork.of(span.stage(), shape, settings.dtype(), settings.dtype(), w.tokens(),
                    distinct[span.layer()]);
            out.stages.computeIfAbsent(span.stage(), s -> new ArrayList<>())
                    .add(new double[] {micros, work.weightBytes(), work.flops(), work.modelled() ? 1 : 0});
            out.device[r * n + span.layer()] += micros;
        }
        for (int l = 0; l < n; l++) {
            out.layerBytes[r * n + l] = StageWork.layerWeightBytes(shape, settings.dtype(), settings.dtype(),
                    distinct[l]);
            out.distinctSum += distinct[l];
        }
    }

    /** The samples of one variant of one workload as they accumulate. */
    private final class VariantSamples {
        final double[] wall;
        final double[] device;      // [repeat * layers + layer] sum of stage spans
        final double[] layerBytes;  // [repeat * layers + layer]
        final Map<String, List<double[]>> stages = new LinkedHashMap<>(); // stage -> [µs, bytes, flops, modelled]
        final List<int[]> layer0 = new ArrayList<>();
        double distinctSum;
        long tiles = -1;

        VariantSamples(int repeats, int layers) {
            wall = new double[repeats];
            device = new double[repeats * layers];
            layerBytes = new double[repeats * layers];
        }

        VariantResult result(MoeOptions options, Workload w) {
            List<StageResult> stageResults = new ArrayList<>();
            for (Map.Entry<String, List<double[]>> e : stages.entrySet()) {
                stageResults.add(stageResult(e.getKey(), e.getValue()));
            }
            return new VariantResult(options, stageResults, SampleStats.of(wall), SampleStats.of(device),
                    distinctSum / device.length, Math.round(SampleStats.of(layerBytes).median()),
                    StageWork.layerFlops(settings.shape(), w.tokens()), tiles, layer0);
        }
    }

    private static StageResult stageResult(String stage, List<double[]> samples) {
        int count = samples.size();
        double[] micros = new double[count];
        double[] bytes = new double[count];
        double[] gbps = new double[count];
        double[] gflops = new double[count];
        for (int i = 0; i < count; i++) {
            double[] s = samples.get(i);
            // a zero-length span (timer resolution) gives no rate rather than an infinite one
            double nanos = Math.max(s[0] * 1e3, 1);
            micros[i] = s[0];
            bytes[i] = s[1];
            gbps[i] = s[1] / nanos;
            gflops[i] = s[2] / nanos;
        }
        double[] first = samples.get(0);
        return new StageResult(stage, SampleStats.of(micros), Math.round(SampleStats.of(bytes).median()), first[2],
                SampleStats.of(gbps).median(), SampleStats.of(gflops).median(), first[3] == 1);
    }

    private static int[] sortedDistinct(int[] ids, int count) {
        return java.util.Arrays.stream(ids, 0, count).distinct().sorted().toArray();
    }

    /** Fills the input rows for repeat {@code r} (fixed routing: the same input every time). */
    private void setInput(int r, Activations act) {
        backend.fillRandom(act.x, settings.routing().inputSeed(settings.seed() + 7919, r), 1.0f);
    }

    private void runLayers(Workload w, MoeOptions options, SyntheticMoeLayers layers, MoeBlock block, Activations act,
                           Profiler profiler) {
        for (int l = 0; l < layers.count(); l++) {
            callLayer(w, options, layers.layer(l), block, act, profiler, l);
        }
    }

    private static void callLayer(Workload w, MoeOptions options, MoeLayerWeights weights, MoeBlock block,
                                  Activations act, Profiler profiler, int layer) {
        switch (w.phase()) {
            case DECODE -> block.decode(weights, act.x, act.residual, act.nextNorm, act.normOut, EPS, options, profiler,
                    layer);
            case BATCHED_DECODE -> block.batchedDecode(weights, act.x, act.out, w.tokens(), options, profiler, layer);
            case PREFILL -> block.prefill(weights, act.x, act.out, w.tokens(), options, profiler, layer);
        }
    }

    /** Input and output rows for up to maxTokens tokens, and the decode path's residual and next-layer norm. */
    private static final class Activations implements AutoCloseable {
        final DeviceBuffer x;
        final DeviceBuffer out;
        final DeviceBuffer residual;
        final DeviceBuffer nextNorm;
        final DeviceBuffer normOut;

        Activations(Backend backend, long rows, long hidden) {
            List<DeviceBuffer> made = new ArrayList<>();
            try {
                x = add(made, backend.allocate("bench.x", DType.F32, rows));
                out = add(made, backend.allocate("bench.out", DType.F32, rows));
                residual = add(made, backend.allocate("bench.residual", DType.F32, hidden));
                nextNorm = add(made, backend.allocate("bench.nextNorm", DType.F32, hidden));
                normOut = add(made, backend.allocate("bench.normOut", DType.F32, hidden));
                backend.fill(nextNorm, 1.0f);
            } catch (RuntimeException e) {
                made.forEach(DeviceBuffer::close);
                throw e;
            }
        }

        private static DeviceBuffer add(List<DeviceBuffer> made, DeviceBuffer b) {
            made.add(b);
            return b;
        }

        @Override
        public void close() {
            x.close();
            out.close();
            residual.close();
            nextNorm.close();
            normOut.close();
        }
    }
}
