package org.moescope.app.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.moescope.app.service.ErrorMessages;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.bench.BenchJson;
import org.moescope.engine.bench.BenchReport;
import org.moescope.engine.bench.BenchSettings;
import org.moescope.engine.bench.BenchText;
import org.moescope.engine.bench.DeviceRoofline;
import org.moescope.engine.bench.GemmCaseResult;
import org.moescope.engine.bench.SameBytesRead;
import org.moescope.engine.bench.GemmMicroBench;
import org.moescope.engine.bench.HostLoad;
import org.moescope.engine.bench.HostPages;
import org.moescope.engine.bench.ModelThroughput;
import org.moescope.engine.bench.ModelThroughputBench;
import org.moescope.engine.bench.MoeLayerBench;
import org.moescope.engine.bench.RoutingMode;
import org.moescope.engine.bench.WorkloadResult;
import org.moescope.engine.bench.Workload;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelPresets;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.session.ModelSource;

/**
 * {@code moescope bench}: the MoE layer benchmark at real shapes (issue 6), ggml's MUL_MAT_ID case, and whole-model
 * tokens/s. Prints text tables; {@code --json FILE} writes every number. Progress goes to stderr.
 */
final class BenchCommand {
    static final String USAGE = """
            moescope bench [options]      MoE layers at a real shape on one device, with per-stage device times
              --device D           OpenCL device index or name substring, or "java" (default: first GPU, else first
                                   OpenCL device, else the Java reference)
              --shape PRESET|FILE  MoE shape from a preset or config.json (default qwen3-30b-a3b: hidden 2048,
                                   moe_intermediate 768, 128 experts, top-8)
              --layers N           distinct synthetic layers run back to back (default 2; at most the shape's)
              --dtype F32|F16|BF16 weight dtype (default BF16)
              --tokens LIST        workloads: 1 = decode, bN = batched decode of N, N or pN = prefill of N tokens;
                                   also "decode", "batched", "prefill", "all" (default 1,b4,b16,32,128,512,2048);
                                   each count at most the shape's context (max_position_embeddings)
              --variants LIST      switch combinations: "all" (default), or items joined by commas, each a number
                                   0-15 (bit 1 unfused, 2 host-topk, 4 direct, 8 Q8 activations) or words joined by
                                   '+' from default, unfused, fused, host-topk, device-topk, direct, indirect, q8,
                                   float-act (e.g. unfused+host-topk)
              --q8-activations     Q8 activations in every variant, the MUL_MAT_ID case and the tokens/s runs (quantized experts only)
              --routing fixed|random  the same experts every repeat (cache-friendly, as ggml's test; default) or
                                   fresh random experts per repeat (cache-honest)
              --warmup N           untimed calls per workload and variant (default 2, at most 1000)
              --repeats N          timed repeats, each with profiling off (wall) and on (stages) (default 5, at
                                   most 1000)
              --seed S             weights and inputs seed (default 42)
              --parts LIST         moe, gemm (ggml MUL_MAT_ID case), model (tokens/s) (default moe,gemm,model)
              --gemm-dtypes LIST   dtypes of the MUL_MAT_ID case (default F32,F16,BF16)
              --gemm-n LIST        token counts of the MUL_MAT_ID case (default 1,32,512)
              --gemm-both          also time the kernel the engine does not use at that n
              --model-preset P     synthetic preset for tokens/s (default qwen3-30b-a3b), next to the sample model
              --model-layers N     layers of that preset (default 2; at most the preset's)
              --prompt N           prompt tokens for tokens/s (default 128)
              --decode N           decode steps for tokens/s (default 16; prompt + decode within the preset's context)
              --json FILE          write the whole report as JSON (its folder is made when missing; checked first)
            """;

    static final Set<String> VALUED = Set.of("device", "shape", "layers", "dtype", "tokens", "variants", "routing",
            "warmup", "repeats", "seed", "parts", "gemm-dtypes", "gemm-n", "model-preset", "model-layers", "prompt",
            "decode", "json");
    static final Set<String> SWITCHES = Set.of("gemm-both", "q8-activations");
    static final String DEFAULT_TOKENS = "1,b4,b16,32,128,512,2048";
    /** The most --warmup and --repeats: beyond it a run takes hours and the medians no longer move. */
    static final int MAX_REPEATS = 1000;
    private static final String MORE_REPEATS = "more adds hours, not precision";

    private BenchCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        CliArgs args = CliArgs.parse("bench", argv, 1, VALUED, SWITCHES);
        DType dtype = dtype(args.string("dtype", "BF16"), "--dtype");
        String shapeName = args.string("shape", "qwen3-30b-a3b");
        ModelConfig shapeConfig = config(shapeName, "--shape");
        int context = shapeConfig.maxPositionEmbeddings();
        String perShape = "the context of " + shapeName;
        List<Workload> workloads = workloads(args.string("tokens", DEFAULT_TOKENS));
        for (Workload w : workloads) {
            atMost("--tokens item " + w.label(), w.tokens(), context, perShape);
        }
        BenchSettings settings = new BenchSettings(shapeName, shapeConfig.moeShape(),
                args.integer("layers", 2, 1, shapeConfig.numHiddenLayers(), shapeName + " has "
                        + shapeConfig.numHiddenLayers() + " layers"), dtype,
                workloads, variants(args.string("variants", "all"), args.has("q8-activations")),
                args.integer("warmup", 2, 0, MAX_REPEATS, MORE_REPEATS), args.integer("repeats", 5, 1, MAX_REPEATS,
                        MORE_REPEATS), routing(args.string("routing", "fixed")), args.longValue("seed", 42));
        Set<String> parts = parts(args.string("parts", "moe,gemm,model"));
        List<DType> gemmDtypes = new ArrayList<>();
        for (String d : list(args.string("gemm-dtypes", "F32,F16,BF16"))) {
            gemmDtypes.add(dtype(d, "--gemm-dtypes"));
        }
        int[] gemmNs = positiveInts(args.string("gemm-n", "1,32,512"), "--gemm-n");
        for (int n : gemmNs) {
            atMost("--gemm-n item " + n, n, context, perShape);
        }
        String preset = args.string("model-preset", "qwen3-30b-a3b");
        ModelConfig presetConfig = config(preset, "--model-preset");
        int modelLayers = args.integer("model-layers", 2, 1, presetConfig.numHiddenLayers(), preset + " has "
                + presetConfig.numHiddenLayers() + " layers");
        int prompt = args.integer("prompt", 128, 1);
        int decode = args.integer("decode", 16, 1);
        atMost("--prompt " + prompt + " + --decode", (long) prompt + decode, presetConfig.maxPositionEmbeddings(),
                "the context of " + preset);
        Path json = args.present("json") ? Path.of(args.required("json")) : null;
        if (json != null) {
            OutputFile.check("bench", "--json", json, true);
        }
        long t0 = System.nanoTime();
        // each progress line also samples the process's huge pages: it comes while a part's weights are allocated
        AtomicReference<HostPages> pages = new AtomicReference<>(HostPages.sample());
        Consumer<String> progress = m -> {
            pages.accumulateAndGet(HostPages.sample(), HostPages::max);
            System.err.printf(Locale.ROOT, "bench %6.1fs: %s%n", (System.nanoTime() - t0) / 1e9, m);
        };
        String device = args.string("device", null);

        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        double loadStart = HostLoad.loadAverageNow();
        DeviceRoofline roofline;
        List<WorkloadResult> workloadResults = List.of();
        List<GemmCaseResult> gemm = List.of();
        org.moescope.engine.backend.DeviceInfo info;
        String kind;
        try (Backend backend = ModelOptions.backend(args)) {
            info = backend.device();
            kind = backend.kind();
            progress.accept("device " + info.summary());
            progress.accept("measuring the device's read bandwidth and FP32 peak");
            roofline = DeviceRoofline.measure(backend, 5);
            if (parts.contains("moe")) {
                workloadResults = new MoeLayerBench(backend, settings, progress).run();
            }
            if (parts.contains("gemm")) {
                gemm = new GemmMicroBench(backend, gemmDtypes, gemmNs, args.has("gemm-both"), settings.warmup(),
                        settings.repeats(), settings.seed(), progress, SameBytesRead.of(backend))
                        .useQ8Activations(args.has("q8-activations")).run();
            }
            progress.accept("measuring the roofs again (other load on the machine moves them)");
            roofline = roofline.best(DeviceRoofline.measure(backend, 5));
        }
        List<ModelThroughput> models = new ArrayList<>();
        if (parts.contains("model")) {
            MoeOptions modelOptions = MoeOptions.DEFAULT.withQ8Activations(args.has("q8-activations"));
            models.add(model("sample-weights", () -> ModelSource.parse(null), device, prompt, decode, modelOptions,
                    progress));
            models.add(model(preset, () -> new ModelSource.Synthetic(preset, modelLayers, dtype, settings.seed()), device,
                    prompt, decode, modelOptions, progress));
        }
        HostLoad host = new HostLoad(HostLoad.cpusNow(), loadStart, HostLoad.loadAverageNow());
        BenchReport report = new BenchReport(started, info, kind, host, pages.get(), settings, roofline, workloadResults,
                gemm, models);
        BenchText.print(report, out);
        if (json != null) {
            try {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
                org.moescope.app.export.AtomicFileWriter.writeString(json, BenchJson.toJson(report));
            } catch (IOException e) {
                throw new EngineException("cannot write --json " + json + ": " + ErrorMessages.ioReason(e), e);
            }
            out.println("wrote " + json);
        }
        return 0;
    }

    private interface SourceFactory {
        ModelSource get();
    }

    /** One whole-model figure; a model that cannot load (the sample may be missing) is reported, not fatal. */
    private static ModelThroughput model(String label, SourceFactory source, String device, int prompt, int decode,
                                         MoeOptions options, Consumer<String> progress) {
        ModelSource s;
        try {
            s = source.get();
        } catch (EngineException | IllegalArgumentException e) {
            return ModelThroughput.failed(label, e.getMessage());
        }
        try {
            return ModelThroughputBench.measure(label, s, Backends.open(device), prompt, decode, 3, options, progress);
        } catch (RuntimeException | LinkageError e) {
            // e.g. a tokenizer's native library missing from a trimmed runtime: the layer figures still stand
            return ModelThroughput.failed(label, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- option parsing (package-private for tests)

    /** "1,b4,32,p128" or the names decode, batched, prefill, all; duplicates dropped, order kept. */
    static List<Workload> workloads(String spec) {
        Set<Workload> out = new LinkedHashSet<>();
        for (String item : list(spec)) {
            String s = item.toLowerCase(Locale.ROOT);
            switch (s) {
                case "all" -> out.addAll(Workload.DEFAULTS);
                case "decode", "d" -> out.add(new Workload(Phase.DECODE, 1));
                case "batched" -> Workload.DEFAULTS.stream().filter(w -> w.phase() == Phase.BATCHED_DECODE)
                        .forEach(out::add);
                case "prefill" -> Workload.DEFAULTS.stream().filter(w -> w.phase() == Phase.PREFILL).forEach(out::add);
                default -> {
                    if (s.startsWith("b")) {
                        out.add(new Workload(Phase.BATCHED_DECODE, count(s.substring(1), item)));
                    } else if (s.startsWith("p")) {
                        out.add(new Workload(Phase.PREFILL, count(s.substring(1), item)));
                    } else {
                        int n = count(s, item);
                        out.add(n == 1 ? new Workload(Phase.DECODE, 1) : new Workload(Phase.PREFILL, n));
                    }
                }
            }
        }
        if (out.isEmpty()) {
            throw new CliArgs.UsageException("bench: --tokens is empty");
        }
        return List.copyOf(out);
    }

    /** {@link #variants(String, boolean)} without --q8-activations. */
    static List<MoeOptions> variants(String spec) {
        return variants(spec, false);
    }

    /**
     * "all", or comma-separated numbers 0-15 / '+'-joined switch words; duplicates dropped, order kept.
     * {@code q8Everywhere} (--q8-activations) turns Q8 activations on in every variant.
     */
    static List<MoeOptions> variants(String spec, boolean q8Everywhere) {
        List<MoeOptions> all = new ArrayList<>(MoeOptions.allSwitchCombinations(false));
        all.addAll(MoeOptions.allSwitchCombinations(false, true));
        Set<MoeOptions> out = new LinkedHashSet<>();
        for (String item : list(spec)) {
            String s = item.toLowerCase(Locale.ROOT);
            if (s.equals("all")) {
                out.addAll(all.subList(0, 8));
            } else if (s.chars().allMatch(Character::isDigit)) {
                int bits = s.length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(s);
                if (bits > 15) {
                    throw new CliArgs.UsageException("bench: --variants number must be 0-15, got " + item);
                }
                out.add(all.get(bits));
            } else {
                MoeOptions o = MoeOptions.DEFAULT;
                for (String word : s.split("\\+")) {
                    o = switch (word.trim()) {
                        case "default" -> o;
                        case "fused" -> o.withFusedGateUpSilu(true);
                        case "unfused" -> o.withFusedGateUpSilu(false);
                        case "host-topk" -> o.withHostTopk(true);
                        case "device-topk" -> o.withHostTopk(false);
                        case "direct" -> o.withDirectDispatch(true);
                        case "indirect" -> o.withDirectDispatch(false);
                        case "q8" -> o.withQ8Activations(true);
                        case "float-act" -> o.withQ8Activations(false);
                        default -> throw new CliArgs.UsageException("bench: --variants: unknown switch '" + word
                                + "' (default, fused, unfused, host-topk, device-topk, direct, indirect, q8, float-act)");
                    };
                }
                out.add(o);
            }
        }
        if (out.isEmpty()) {
            throw new CliArgs.UsageException("bench: --variants is empty");
        }
        if (q8Everywhere) {
            return out.stream().map(o -> o.withQ8Activations(true)).distinct().toList();
        }
        return List.copyOf(out);
    }

    static Set<String> parts(String spec) {
        Set<String> out = new LinkedHashSet<>();
        for (String p : list(spec)) {
            String s = p.toLowerCase(Locale.ROOT);
            if (!Set.of("moe", "gemm", "model").contains(s)) {
                throw new CliArgs.UsageException("bench: --parts: unknown part '" + p + "' (moe, gemm, model)");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new CliArgs.UsageException("bench: --parts is empty");
        }
        return out;
    }

    /** A preset or config.json by name; an unknown one is a usage error. */
    private static ModelConfig config(String presetOrConfig, String option) {
        try {
            return ModelPresets.resolve(presetOrConfig);
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException("bench: " + option + ": " + e.getMessage());
        }
    }

    private static void atMost(String what, long value, long max, String why) {
        if (value > max) {
            throw new CliArgs.UsageException("bench: " + what + " = " + value + " is more than " + max + " (" + why
                    + ")");
        }
    }

    private static RoutingMode routing(String s) {
        try {
            return RoutingMode.parse(s);
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException("bench: --" + e.getMessage());
        }
    }

    private static DType dtype(String s, String option) {
        DType d;
        try {
            d = DType.parse(s);
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException("bench: " + option + ": " + e.getMessage());
        }
        if (d == DType.I32) {
            throw new CliArgs.UsageException("bench: " + option + " must be F32, F16 or BF16");
        }
        return d;
    }

    private static int[] positiveInts(String spec, String option) {
        List<String> items = list(spec);
        int[] out = new int[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = count(items.get(i), option + " item '" + items.get(i) + "'");
        }
        if (out.length == 0) {
            throw new CliArgs.UsageException("bench: " + option + " is empty");
        }
        return out;
    }

    private static int count(String digits, String what) {
        try {
            int n = Integer.parseInt(digits.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new CliArgs.UsageException("bench: '" + what + "' is not a token count >= 1");
    }

    private static List<String> list(String spec) {
        List<String> out = new ArrayList<>();
        for (String s : spec.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
