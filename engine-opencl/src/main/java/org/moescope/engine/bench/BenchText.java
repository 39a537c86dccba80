package org.moescope.engine.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.moescope.engine.moe.MoeOptions;

/** The bench report as readable text tables (the JSON has every number; this shows the ones people compare). */
public final class BenchText {
    private BenchText() {
    }

    public static void print(BenchReport r, PrintStream out) {
        BenchSettings s = r.settings();
        out.printf(Locale.ROOT, "MoEScope bench  %s  on %s (%s, %s)%n", r.startedUtc(), r.device().name(),
                r.backendKind(), r.device().platform());
        if (s != null) {
            out.printf(Locale.ROOT, "shape %s: hidden %d, moe_intermediate %d, %d experts, top-%d; %d layer(s), %s weights%n",
                    s.shapeName(), s.shape().hidden(), s.shape().inter(), s.shape().experts(), s.shape().topK(),
                    s.layers(), s.dtype());
            out.printf(Locale.ROOT, "routing %s: %s%n", s.routing().label(), s.routing().description());
            out.printf(Locale.ROOT, "%d warm-up, %d repeats; wall = profiling off, host clock, per layer; stages = "
                    + "device spans with profiling on, median over repeats x layers%n", s.warmup(), s.repeats());
        }
        if (r.host() != null && r.host().loadStart() >= 0) {
            out.printf(Locale.ROOT, "host: %d CPUs, 1-min load average %.1f at start, %.1f at end%s%n", r.host().cpus(),
                    r.host().loadStart(), r.host().loadEnd(), Math.max(r.host().loadStart(), r.host().loadEnd())
                            > r.host().cpus() ? " (oversubscribed: other processes shared the cores)" : "");
        }
        if (r.pages() != null) {
            out.println("host memory: " + r.pages().describe());
        }
        DeviceRoofline roof = r.roofline();
        if (roof != null) {
            out.printf(Locale.ROOT, "device roofs: read %s GB/s F32, %s F16, %s BF16 (%.0f MiB buffer); FP32 FMA %s GFLOP/s%n",
                    f1(roof.readF32GBps()), f1(roof.readF16GBps()), f1(roof.readBf16GBps()),
                    roof.bufferBytes() / 1048576.0, f1(roof.fp32Gflops()));
        }
        for (WorkloadResult w : r.workloads()) {
            printWorkload(r, w, out);
        }
        if (!r.mulMatId().isEmpty()) {
            printGemm(r.mulMatId(), out);
        }
        if (!r.models().isEmpty()) {
            printModels(r.models(), out);
        }
    }

    /** "fus/dev/ind": fused or unfused, device or host top-k, indirect or direct dispatch. */
    public static String shortLabel(MoeOptions o) {
        return (o.fusedGateUpSilu() ? "fus" : "unf") + "/" + (o.hostTopk() ? "host" : "dev") + "/"
                + (o.directDispatch() ? "dir" : "ind");
    }

    private static void printWorkload(BenchReport r, WorkloadResult w, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "== %s  (per layer)%n", w.workload().label());
        out.printf(Locale.ROOT, "%-14s %10s %21s %10s %7s %9s %6s %9s %6s %10s%n", "variant", "wall µs", "[min .. max]",
                "device µs", "experts", "wt GB/s", "%read", "GFLOP/s", "%peak", "vs default");
        Optional<VariantResult> base = w.baseline();
        for (VariantResult v : w.variants()) {
            String delta = base.map(b -> String.format(Locale.ROOT, "%+.1f%%",
                    100 * (v.wallMicros().median() / b.wallMicros().median() - 1))).orElse("-");
            out.printf(Locale.ROOT, "%-14s %10.1f %21s %10.1f %7.1f %9.2f %6s %9.2f %6s %10s%n", shortLabel(v.options()),
                    v.wallMicros().median(), "[" + f1(v.wallMicros().min()) + " .. " + f1(v.wallMicros().max()) + "]",
                    v.deviceMicros().median(), v.distinctExperts(), v.wallGBps(), pct(r.readFraction(v.wallGBps())),
                    v.wallGflops(), pct(r.peakFraction(v.wallGflops())), delta);
        }
        Set<String> seen = new LinkedHashSet<>();
        w.variants().forEach(v -> v.stages().forEach(st -> seen.add(st.stage())));
        List<String> stages = new ArrayList<>(seen);
        stages.sort(java.util.Comparator.comparingInt(BenchText::stageOrder));
        out.printf(Locale.ROOT, "%-14s", "stage µs");
        for (VariantResult v : w.variants()) {
            out.printf(Locale.ROOT, " %12s", shortLabel(v.options()));
        }
        out.println();
        for (String stage : stages) {
            out.printf(Locale.ROOT, "%-14s", stage);
            for (VariantResult v : w.variants()) {
                Optional<StageResult> sr = v.stages().stream().filter(x -> x.stage().equals(stage)).findFirst();
                out.printf(Locale.ROOT, " %12s", sr.map(x -> f1(x.micros().median())).orElse("-"));
            }
            out.println();
        }
        VariantResult detail = base.orElse(w.variants().get(0));
        out.printf(Locale.ROOT, "%-14s %10s %19s %12s %9s %6s %9s %6s   (%s)%n", "stage", "µs", "[q1 .. q3]", "weight MB",
                "GB/s", "%read", "GFLOP/s", "%peak", shortLabel(detail.options()));
        for (StageResult st : detail.stages()) {
            boolean reads = st.weightBytes() > 0;
            boolean computes = st.flops() > 0;
            out.printf(Locale.ROOT, "%-14s %10.1f %19s %12s %9s %6s %9s %6s%n", st.stage(), st.micros().median(),
                    "[" + f1(st.micros().q1()) + " .. " + f1(st.micros().q3()) + "]",
                    reads ? f1(st.weightBytes() / 1e6) : "-", reads ? f2(st.gbps()) : "-",
                    reads ? pct(r.readFraction(st.gbps())) : "-", computes ? f2(st.gflops()) : "-",
                    computes ? pct(r.peakFraction(st.gflops())) : "-");
        }
    }

    private static void printGemm(List<GemmCaseResult> cases, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "== ggml MUL_MAT_ID case: n_mats %d, n_used %d, m %d, k %d, type_b f32 "
                        + "(FLOPs 2*m*k*n*n_used; device time of the kernel, median of as many calls as stream 2 GiB "
                        + "of weights, at least --repeats, at most 200; F16 and BF16 of an n interleaved in %d rounds of "
                        + "back-to-back blocks)%n", GgmlReference.N_MATS,
                GgmlReference.N_USED, GgmlReference.M, GgmlReference.K, GemmMicroBench.ROUNDS);
        out.printf(Locale.ROOT, "%-5s %5s %-12s %-7s %11s %21s %9s %9s %7s %8s %8s %8s%n", "dtype", "n", "kernel",
                "engine", "µs", "[min .. max]", "GFLOP/s", "target", "verdict", "MB", "GB/s", "%read");
        for (GemmCaseResult g : cases) {
            out.printf(Locale.ROOT, "%-5s %5d %-12s %-7s %11.1f %21s %9.2f %9s %7s %8.1f %8.1f %8s%n", g.dtype(), g.n(),
                    g.kernel(), g.enginePath() ? "yes" : "no", g.micros().median(),
                    "[" + f1(g.micros().min()) + " .. " + f1(g.micros().max()) + "]", g.gflops(),
                    g.target().isPresent() ? f1(g.target().getAsDouble()) : "-", g.verdict(), g.weightBytes() / 1e6,
                    g.weightGBps(), Double.isNaN(g.sameBytesFraction()) ? "-" : pct(g.sameBytesFraction()));
        }
        out.println("targets: F32/F16 = ggml's CPU backend on a 2-core machine (issue 6); BF16 = our F16 (no slower)");
        out.println("MB: the distinct experts' weights the case reads; %read: its GB/s over a plain read of the same "
                + "MB (the better of one just before and one right after the case)");
    }

    private static void printModels(List<ModelThroughput> models, PrintStream out) {
        out.println();
        out.println("== whole model (inference session, profiling off)");
        out.printf(Locale.ROOT, "%-20s %-40s %8s %12s %8s %12s%n", "model", "what", "prompt", "prefill t/s", "decode",
                "decode t/s");
        List<String> errors = new ArrayList<>();
        for (ModelThroughput m : models) {
            if (m.error() != null) {
                errors.add(m.model() + ": " + m.error());
                continue;
            }
            out.printf(Locale.ROOT, "%-20s %-40s %8d %12.1f %8d %12.2f%n", m.model(), m.description(), m.promptTokens(),
                    m.prefillTokensPerSec(), m.decodeTokens(), m.decodeTokensPerSec());
        }
        errors.forEach(e -> out.println("not run: " + e));
    }

    /** Position of a stage in the block's run order (unknown stages last, in order of appearance). */
    private static int stageOrder(String stage) {
        int i = STAGE_ORDER.indexOf(stage);
        return i < 0 ? STAGE_ORDER.size() : i;
    }

    private static final List<String> STAGE_ORDER = List.of("router", "route", "route_ids", "host_topk",
            "gate_up_silu", "gate", "up", "silu", "down", "wsum");

    private static String f1(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "-";
    }

    private static String f2(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "-";
    }

    private static String pct(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", 100 * fraction) : "-";
    }
}
