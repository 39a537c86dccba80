package org.moescope.app.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.bench.StageWork;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.StepResult;

/**
 * The weight bytes each profiled stage of a run read, in the weights' stored types (a Q4_K matrix counts 4.5 bits a
 * weight): the router, the q/k/v and o projections and the lm_head read their whole matrices once per launch, the
 * embedding one row per token, and an expert stage each distinct expert the layer's routing chose in that step once
 * ({@link StageWork}). Stages that read no weights (norms, attention over the cache) are not counted. Immutable.
 */
public final class StageBytes {
    /** Nothing known: no model loaded. */
    public static final StageBytes UNKNOWN = new StageBytes(null, null, null, Map.of());

    private final ModelConfig config;
    private final MoeShape shape;   // null for a model without MoE layers
    private final WeightTypes types;
    private final Map<Integer, StepRouting> routingByStep;

    private StageBytes(ModelConfig config, MoeShape shape, WeightTypes types, Map<Integer, StepRouting> routingByStep) {
        this.config = config;
        this.shape = shape;
        this.types = types;
        this.routingByStep = routingByStep;
    }

    /** For a loaded model; {@link #UNKNOWN} when either is null. */
    public static StageBytes forModel(ModelConfig config, WeightTypes types) {
        return config == null || types == null ? UNKNOWN
                : new StageBytes(config, config.hasMoeLayers() ? config.moeShape() : null, types, Map.of());
    }

    /** The same model with the routing of {@code steps} (whose spans {@link #of} is then asked about). */
    public StageBytes withSteps(List<StepResult> steps) {
        if (config == null) {
            return this;
        }
        Map<Integer, StepRouting> byStep = new HashMap<>();
        for (StepResult step : steps) {
            if (step.routing() != null) {
                byStep.put(step.step(), step.routing());
            }
        }
        return new StageBytes(config, shape, types, Map.copyOf(byStep));
    }

    /** Weight bytes {@code span} read, or -1 when not known (not a MoE stage, no routing captured for its step). */
    public long of(StageSpan span) {
        DType dense = denseType(span);
        if (dense != null) {
            return denseBytes(span);
        }
        WeightTypes.MoeLayerTypes layer = layerTypes(span);
        if (layer == null) {
            return -1;
        }
        int distinct = 1; // the router's bytes do not depend on the routing
        if (!span.stage().equals("router")) {
            LayerRouting routing = routingOf(span);
            if (routing == null) {
                return -1;
            }
            distinct = StageWork.distinctExperts(routing.ids(), routing.tokens() * routing.k(), routing.experts());
            if (distinct == 0) {
                return -1;
            }
        }
        if (distinct > Math.min(shape.experts(), (long) span.tokens() * shape.topK())) {
            return -1; // the routing recorded does not fit the span (another model's step)
        }
        StageWork work = StageWork.of(span.stage(), shape, layer.gate(), layer.down(), layer.router(),
                span.tokens(), distinct);
        return work.modelled() ? work.weightBytes() : -1;
    }

    /** Tooltip line: "reads 7.08 MB of Q4_K weights · 85.3 GB/s", or null when the span reads none or is not known. */
    public String describe(StageSpan span) {
        long bytes = of(span);
        if (bytes <= 0) {
            return null;
        }
        DType type = denseType(span);
        if (type == null) {
            WeightTypes.MoeLayerTypes layer = layerTypes(span);
            type = span.stage().equals("router") ? layer.router()
                    : span.stage().startsWith("down") ? layer.down() : layer.gate();
        }
        double micros = span.durationNanos() / 1000.0;
        String rate = micros > 0 ? String.format(Locale.ROOT, " \u00b7 %.1f GB/s", bytes / (micros * 1e3)) : "";
        return "reads " + megabytes(bytes) + " of " + type + " weights" + rate;
    }

    /** "7.08 MB" (10^6 bytes). */
    public static String megabytes(double bytes) {
        return bytes >= 1e6 ? String.format(Locale.ROOT, "%.2f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    /**
     * The type a stage outside the MoE block reads its weights in (q's for the q/k/v projections), or null for a MoE
     * stage or one that reads no weights.
     */
    private DType denseType(StageSpan span) {
        if (types == null) {
            return null;
        }
        if ("attention".equals(span.block())) {
            WeightTypes.AttentionTypes a = types.attentionLayers().get(span.layer());
            if (a == null) {
                return null;
            }
            return switch (span.stage()) {
                case "qkv" -> a.q();
                case "o_proj" -> a.o();
                default -> null;
            };
        }
        if ("model".equals(span.block())) {
            return switch (span.stage()) {
                case "embed" -> types.embedding();
                case "lm_head" -> types.output();
                default -> null;
            };
        }
        return null;
    }

    /** Bytes of a stage {@link #denseType} knows: whole matrices, or the embedding's rows of the span's tokens. */
    private long denseBytes(StageSpan span) {
        long h = config.hiddenSize();
        return switch (span.stage()) {
            case "qkv" -> {
                WeightTypes.AttentionTypes a = types.attentionLayers().get(span.layer());
                yield a.q().bytesOf(config.qDim() * h) + a.k().bytesOf(config.kvDim() * h)
                        + a.v().bytesOf(config.kvDim() * h);
            }
            case "o_proj" -> types.attentionLayers().get(span.layer()).o().bytesOf(h * config.qDim());
            case "embed" -> span.tokens() * types.embedding().bytesOf(h);
            case "lm_head" -> types.output().bytesOf(config.vocabSize() * h);
            default -> -1;
        };
    }

    private WeightTypes.MoeLayerTypes layerTypes(StageSpan span) {
        if (types == null || shape == null || !"moe".equals(span.block())) {
            return null;
        }
        return types.moeLayers().get(span.layer());
    }

    private LayerRouting routingOf(StageSpan span) {
        StepRouting step = routingByStep.get(span.step());
        if (step == null) {
            return null;
        }
        for (LayerRouting layer : step.layers()) {
            if (layer.layer() == span.layer()) {
                return layer;
            }
        }
        return null;
    }
}
