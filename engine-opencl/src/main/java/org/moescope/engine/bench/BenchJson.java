package org.moescope.engine.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonElement;
import java.util.Optional;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;

/**
 * The bench report as JSON (format 1). Times in µs, rates in GB/s (1e9 bytes/s) and GFLOP/s, fractions in [0, 1];
 * numbers that were not measured are null. Per workload, per variant: wall and device totals per layer, the ratios
 * to the device's roofs, the difference to the default fast path, and every stage with its spread, bytes and FLOPs.
 */
public final class BenchJson {
    public static final int FORMAT = 1;

    private BenchJson() {
    }

    public static String toJson(BenchReport report) {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(tree(report));
    }

    public static JsonObject tree(BenchReport report) {
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("started_utc", report.startedUtc());
        root.addProperty("backend", report.backendKind());
        root.add("device", device(report.device()));
        if (report.host() != null) {
            JsonObject host = new JsonObject();
            host.addProperty("cpus", report.host().cpus());
            host.add("load_average_start", num(report.host().loadStart() >= 0 ? report.host().loadStart() : Double.NaN));
            host.add("load_average_end", num(report.host().loadEnd() >= 0 ? report.host().loadEnd() : Double.NaN));
            root.add("host", host);
        }
        if (report.pages() != null) {
            JsonObject pages = new JsonObject();
            pages.addProperty("transparent_huge_pages", report.pages().mode());
            pages.addProperty("glibc_tunables", report.pages().tunables());
            pages.addProperty("malloc_huge_pages_requested", report.pages().mallocRequested());
            pages.add("peak_huge_page_bytes", report.pages().peakBytes() >= 0
                    ? new JsonPrimitive(report.pages().peakBytes()) : JsonNull.INSTANCE);
            root.add("host_pages", pages);
        }
        root.add("settings", settings(report.settings()));
        root.add("roofline", roofline(report.roofline()));
        JsonArray workloads = new JsonArray();
        for (WorkloadResult w : report.workloads()) {
            workloads.add(workload(report, w));
        }
        root.add("workloads", workloads);
        JsonArray gemm = new JsonArray();
        for (GemmCaseResult g : report.mulMatId()) {
            gemm.add(gemmCase(g));
        }
        JsonObject mulMatId = new JsonObject();
        mulMatId.addProperty("case", "MUL_MAT_ID type_b=f32 n_mats=" + GgmlReference.N_MATS + " n_used="
                + GgmlReference.N_USED + " m=" + GgmlReference.M + " k=" + GgmlReference.K + " b=false");
        mulMatId.addProperty("flops", "2*m*k*n*n_used");
        mulMatId.add("results", gemm);
        root.add("mul_mat_id", mulMatId);
        JsonArray models = new JsonArray();
        for (ModelThroughput m : report.models()) {
            models.add(model(m));
        }
        root.add("models", models);
        return root;
    }

    private static JsonObject device(DeviceInfo d) {
        JsonObject o = new JsonObject();
        o.addProperty("name", d.name());
        o.addProperty("platform", d.platform());
        o.addProperty("vendor", d.vendor());
        o.addProperty("version", d.version());
        o.addProperty("kind", d.kind());
        o.addProperty("compute_units", d.computeUnits());
        o.addProperty("global_mem_bytes", d.globalMemBytes());
        o.addProperty("timer_resolution_ns", d.timerResolutionNs());
        return o;
    }

    private static JsonObject settings(BenchSettings s) {
        JsonObject o = new JsonObject();
        o.addProperty("shape_name", s.shapeName());
        MoeShape shape = s.shape();
        JsonObject sh = new JsonObject();
        sh.addProperty("hidden", shape.hidden());
        sh.addProperty("moe_intermediate", shape.inter());
        sh.addProperty("experts", shape.experts());
        sh.addProperty("top_k", shape.topK());
        sh.addProperty("norm_topk_prob", shape.normTopk());
        o.add("shape", sh);
        o.addProperty("layers", s.layers());
        o.addProperty("dtype", s.dtype().name());
        o.addProperty("routing", s.routing().label());
        o.addProperty("routing_description", s.routing().description());
        o.addProperty("warmup", s.warmup());
        o.addProperty("repeats", s.repeats());
        o.addProperty("seed", s.seed());
        o.addProperty("method", "per (workload, variant): warm-up calls, then repeats with profiling off timed on the "
                + "host around all layers (wall, the honest total), then repeats with profiling on for per-stage "
                + "device spans; all numbers per layer; stage samples are (repeat, layer) pairs");
        return o;
    }

    private static JsonElement roofline(DeviceRoofline r) {
        if (r == null) {
            return JsonNull.INSTANCE;
        }
        JsonObject o = new JsonObject();
        o.addProperty("method", r.method());
        o.addProperty("buffer_bytes", r.bufferBytes());
        o.add("read_f32_gbps", num(r.readF32GBps()));
        o.add("read_f16_gbps", num(r.readF16GBps()));
        o.add("read_bf16_gbps", num(r.readBf16GBps()));
        o.add("fp32_gflops", num(r.fp32Gflops()));
        return o;
    }

    private static JsonObject workload(BenchReport report, WorkloadResult w) {
        JsonObject o = new JsonObject();
        o.addProperty("label", w.workload().label());
        o.addProperty("phase", w.workload().phase().label());
        o.addProperty("tokens", w.workload().tokens());
        Optional<VariantResult> base = w.baseline();
        JsonArray variants = new JsonArray();
        for (VariantResult v : w.variants()) {
            variants.add(variant(report, v, base.orElse(null)));
        }
        o.add("variants", variants);
        return o;
    }

    private static JsonObject variant(BenchReport report, VariantResult v, VariantResult base) {
        JsonObject o = new JsonObject();
        MoeOptions opt = v.options();
        o.addProperty("label", opt.label());
        o.addProperty("fused_gate_up_silu", opt.fusedGateUpSilu());
        o.addProperty("host_topk", opt.hostTopk());
        o.addProperty("direct_dispatch", opt.directDispatch());
        o.addProperty("q8_activations", opt.q8Activations());
        o.add("wall_us", stats(v.wallMicros()));
        o.add("device_us", stats(v.deviceMicros()));
        o.add("distinct_experts", num(v.distinctExperts()));
        o.addProperty("layer_weight_bytes", v.layerWeightBytes());
        o.add("layer_flops", num(v.layerFlops()));
        o.add("wall_gbps", num(v.wallGBps()));
        o.add("wall_gflops", num(v.wallGflops()));
        o.add("read_bandwidth_fraction", num(report.readFraction(v.wallGBps())));
        o.add("fp32_peak_fraction", num(report.peakFraction(v.wallGflops())));
        if (v.gemmTiles() >= 0) {
            o.addProperty("gate_gemm_tiles", v.gemmTiles());
        }
        if (base != null) {
            JsonObject d = new JsonObject();
            d.add("wall_us", num(v.wallMicros().median() - base.wallMicros().median()));
            d.add("wall_ratio", num(v.wallMicros().median() / base.wallMicros().median()));
            d.add("device_us", num(v.deviceMicros().median() - base.deviceMicros().median()));
            o.add("vs_default", d);
        }
        JsonArray stages = new JsonArray();
        for (StageResult s : v.stages()) {
            JsonObject so = new JsonObject();
            so.addProperty("stage", s.stage());
            so.add("us", stats(s.micros()));
            so.addProperty("weight_bytes", s.weightBytes());
            so.add("flops", num(s.flops()));
            so.add("gbps", num(s.weightBytes() > 0 ? s.gbps() : Double.NaN));
            so.add("gflops", num(s.flops() > 0 ? s.gflops() : Double.NaN));
            so.add("read_bandwidth_fraction", num(s.weightBytes() > 0 ? report.readFraction(s.gbps()) : Double.NaN));
            so.add("fp32_peak_fraction", num(s.flops() > 0 ? report.peakFraction(s.gflops()) : Double.NaN));
            so.addProperty("modelled", s.modelled());
            stages.add(so);
        }
        o.add("stages", stages);
        return o;
    }

    private static JsonObject gemmCase(GemmCaseResult g) {
        JsonObject o = new JsonObject();
        o.addProperty("dtype", g.dtype().name());
        o.addProperty("n", g.n());
        o.addProperty("kernel", g.kernel());
        o.addProperty("engine_path", g.enginePath());
        o.add("us", stats(g.micros()));
        o.add("gflops", num(g.gflops()));
        o.add("target_gflops", g.target().isPresent() ? num(g.target().getAsDouble()) : JsonNull.INSTANCE);
        o.addProperty("target_source", switch (g.dtype()) {
            case BF16 -> "our F16 figure (BF16 no slower than F16)";
            default -> "ggml CPU backend, 2-core machine (issue 6)";
        });
        o.addProperty("verdict", g.verdict());
        o.addProperty("weight_bytes", g.weightBytes());
        o.add("weight_gbps", num(g.weightGBps()));
        o.add("same_bytes_read_gbps", num(g.sameBytesGBps()));
        return o;
    }

    private static JsonObject model(ModelThroughput m) {
        JsonObject o = new JsonObject();
        o.addProperty("model", m.model());
        o.addProperty("description", m.description());
        o.addProperty("prompt_tokens", m.promptTokens());
        o.add("prefill_tokens_per_s", num(m.prefillTokensPerSec()));
        o.addProperty("decode_tokens", m.decodeTokens());
        o.add("decode_tokens_per_s", num(m.decodeTokensPerSec()));
        if (m.error() != null) {
            o.addProperty("error", m.error());
        }
        return o;
    }

    static JsonObject stats(SampleStats s) {
        JsonObject o = new JsonObject();
        o.add("median", num(s.median()));
        o.add("min", num(s.min()));
        o.add("max", num(s.max()));
        o.add("q1", num(s.q1()));
        o.add("q3", num(s.q3()));
        o.addProperty("count", s.count());
        return o;
    }

    static JsonElement num(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }
}
