package org.moescope.app.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.bench.StageWork;
import org.moescope.engine.model.WeightTypes;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.profile.StepRouting;
import org.moescope.engine.session.StepResult;

/**
 * The weight bytes each profiled MoE stage of a run read, in the weights' stored types ({@link StageWork}: a Q4_K
 * matrix counts 4.5 bits a weight): the router reads its whole matrix, an expert stage each distinct expert the
 * layer's routing chose in that step once. Other stages (attention, the model's own) are not counted. Immutable.
 */
public final class StageBytes {
    /** Nothing known: no model loaded. */
    public static final StageBytes UNKNOWN = new StageBytes(null, null, Map.of());

    private final MoeShape shape;
    private final WeightTypes types;
    private final Map<Integer, StepRouting> routingByStep;

    private StageBytes(MoeShape shape, WeightTypes types, Map<Integer, StepRouting> routingByStep) {
        this.shape = shape;
        this.types = types;
        this.routingByStep = routingByStep;
    }

    /** For a loaded model; {@link #UNKNOWN} when either is null. */
    public static StageBytes forModel(MoeShape shape, WeightTypes types) {
        return shape == null || types == null ? UNKNOWN : new StageBytes(shape, types, Map.of());
    }

    /** The same model with the routing of {@code steps} (whose spans {@link #of} is then asked about). */
    public StageBytes withSteps(List<StepResult> steps) {
        if (shape == null) {
            return this;
        }
        Map<Integer, StepRouting> byStep = new HashMap<>();
        for (StepResult step : steps) {
            if (step.routing() != null) {
                byStep.put(step.step(), step.routing());
            }
        }
        return new StageBytes(shape, types, Map.copyOf(byStep));
    }

    /** Weight bytes {@code span} read, or -1 when not known (not a MoE stage, no routing captured for its step). */
    public long of(StageSpan span) {
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
        WeightTypes.MoeLayerTypes layer = layerTypes(span);
        DType type = span.stage().equals("router") ? layer.router()
                : span.stage().startsWith("down") ? layer.down() : layer.gate();
        double micros = span.durationNanos() / 1000.0;
        String rate = micros > 0 ? String.format(Locale.ROOT, " \u00b7 %.1f GB/s", bytes / (micros * 1e3)) : "";
        return "reads " + megabytes(bytes) + " of " + type + " weights" + rate;
    }

    /** "7.08 MB" (10^6 bytes). */
    public static String megabytes(double bytes) {
        return bytes >= 1e6 ? String.format(Locale.ROOT, "%.2f MB", bytes / 1e6)
                : String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
    }

    private WeightTypes.MoeLayerTypes layerTypes(StageSpan span) {
        if (types == null || !"moe".equals(span.block())) {
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
