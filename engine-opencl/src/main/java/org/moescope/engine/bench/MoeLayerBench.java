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
 * <p>For each workload and switch combination: {@code warmup} untimed calls, then {@code repeats} timed with
 * profiling off (host wall time around all layers, ended by {@link Backend#finish()}: the honest total, with no
 * events), then {@code repeats} with a live {@link Profiler} for per-stage device spans. After each profiled layer
 * call the routing is read back (outside every timed window) to count the distinct experts it touched. Every layer
 * gets the same normed input {@code x}; repeat {@code r} of every variant uses the same input, so variants see the
 * same expert choices.
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
                List<VariantResult> variants = new ArrayList<>();
                for (MoeOptions v : settings.variants()) {
                    progress.accept(w.label() + "  " + v.label());
                    variants.add(measure(w, v, layers, block, act));
                }
                results.add(new WorkloadResult(w, variants));
            }
            return results;
        }
    }

    private static double layerBytes(MoeShape s, DType dtype) {
        return (double) s.experts() * s.hidden() * dtype.bytes() * (1 + 3.0 * s.inter());
    }

    private VariantResult measure(Workload w, MoeOptions options, SyntheticMoeLayers layers, MoeBlock block,
                                  Activations act) {
        int n = settings.layers();
        for (int r = -settings.warmup(); r < 0; r++) {
            setInput(w, r, act);
            runLayers(w, options, layers, block, act, Profiler.OFF);
        }
        backend.finish();
        double[] wall = new double[settings.repeats()];
        for (int r = 0; r < settings.repeats(); r++) {
            setInput(w, r, act);
            backend.finish();
            long t0 = System.nanoTime();
            runLayers(w, options, layers, block, act, Profiler.OFF);
            backend.finish();
            wall[r] = (System.nanoTime() - t0) / 1e3 / n;
        }
        Profiler profiler = Profiler.on(backend);
        MoeOptions profiled = options.withProfiling(true);
        Map<String, List<double[]>> stageSamples = new LinkedHashMap<>(); // stage -> [micros, bytes, flops] per sample
        double[] device = new double[settings.repeats() * n];
        double[] layerBytes = new double[settings.repeats() * n];
        double distinctSum = 0;
        List<int[]> layer0 = new ArrayList<>();
        long tiles = -1;
        MoeShape shape = settings.shape();
        for (int r = 0; r < settings.repeats(); r++) {
            setInput(w, r, act);
            backend.finish();
            profiler.beginStep(w.phase(), w.tokens(), profiled);
            int[] distinct = new int[n];
            for (int l = 0; l < n; l++) {
                callLayer(w, profiled, layers.layer(l), block, act, profiler, l);
                LayerRouting routing = block.lastRouting(l, false);
                distinct[l] = StageWork.distinctExperts(routing.ids(), w.tokens() * shape.topK(), shape.experts());
                if (l == 0) {
                    layer0.add(sortedDistinct(routing.ids(), w.tokens() * shape.topK()));
                }
                if (w.phase() == Phase.PREFILL && l == 0) {
                    tiles = block.lastGemmTiles();
                }
            }
            for (StageSpan span : profiler.endStep()) {
                double micros = span.durationNanos() / 1e3;
                StageWork work = StageWork.of(span.stage(), shape, settings.dtype(), settings.dtype(), w.tokens(),
                        distinct[span.layer()]);
                stageSamples.computeIfAbsent(span.stage(), s -> new ArrayList<>())
                        .add(new double[] {micros, work.weightBytes(), work.flops(), work.modelled() ? 1 : 0});
                device[r * n + span.layer()] += micros;
            }
            for (int l = 0; l < n; l++) {
                layerBytes[r * n + l] = StageWork.layerWeightBytes(shape, settings.dtype(), settings.dtype(), distinct[l]);
                distinctSum += distinct[l];
            }
        }
        List<StageResult> stages = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : stageSamples.entrySet()) {
            stages.add(stageResult(e.getKey(), e.getValue()));
        }
        return new VariantResult(options, stages, SampleStats.of(wall), SampleStats.of(device),
                distinctSum / (settings.repeats() * n), Math.round(SampleStats.of(layerBytes).median()),
                StageWork.layerFlops(shape, w.tokens()), tiles, layer0);
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

    /** Fills the input rows of this workload for repeat {@code r} (fixed routing: the same input every time). */
    private void setInput(Workload w, int r, Activations act) {
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
