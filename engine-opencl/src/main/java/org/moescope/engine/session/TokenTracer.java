package org.moescope.engine.session;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.KvCache;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.MoeTokenTap;
import org.moescope.engine.model.Transformer;
import org.moescope.engine.moe.ExpertMath;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.moe.MoeLayerWeights;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.Phase;
import org.moescope.engine.profile.Profiler;

/**
 * Traces one token through one MoE layer by replaying the run up to the token's step in KV caches of its own, with a
 * {@link MoeTokenTap} armed for that step only. Replaying, rather than hooking the live run, lets the user pick any
 * past token after the run and leaves the session's sequences untouched; the replay makes the same calls with the same
 * inputs as the run did, so the numbers are the run's (kernels are deterministic). The cost is the replayed steps,
 * paid only when a trace is asked for; a run that never asks pays nothing.
 */
final class TokenTracer {
    private final Backend backend;
    private final ModelConfig config;
    private final Transformer transformer;
    private final DType cacheType;

    TokenTracer(Backend backend, ModelConfig config, Transformer transformer, DType cacheType) {
        this.backend = backend;
        this.config = config;
        this.transformer = transformer;
        this.cacheType = cacheType;
    }

    MoeTokenTrace trace(RunReplay replay, int step, int layer, int row) {
        check(replay, step, layer, row);
        int capacity = replay.prompt().length + step;
        List<KvCache> caches = new ArrayList<>();
        MoeTokenTap tap = new MoeTokenTap(layer, row);
        try {
            for (int b = 0; b < replay.batch(); b++) {
                caches.add(new KvCache(backend, config, capacity, "kv.trace" + b, cacheType));
            }
            transformer.setTap(step == 0 ? tap : null);
            transformer.prefill(replay.prompt(), caches.get(0), false, replay.prefillOptions(), Profiler.OFF, null);
            for (int b = 1; b < replay.batch(); b++) {
                caches.get(b).copyFrom(backend, caches.get(0), replay.prompt().length, config.kvDim());
            }
            int tokenId = replay.prompt()[row];
            int position = row;
            int sequence = 0;
            MoeOptions options = replay.prefillOptions();
            Phase phase = Phase.PREFILL;
            for (int s = 1; s <= step; s++) {
                RunReplay.DecodeStep d = replay.decodeSteps().get(s - 1);
                KvCache[] active = new KvCache[d.tokens().length];
                for (int i = 0; i < active.length; i++) {
                    active[i] = caches.get(d.sequences()[i]);
                }
                if (s == step) {
                    tokenId = d.tokens()[row];
                    sequence = d.sequences()[row];
                    position = active[row].length();
                    options = d.options();
                    phase = active.length == 1 ? Phase.DECODE : Phase.BATCHED_DECODE;
                    transformer.setTap(tap);
                }
                if (active.length == 1) {
                    transformer.decode(d.tokens()[0], active[0], d.options(), Profiler.OFF, null);
                } else {
                    transformer.batchedDecode(d.tokens(), active, d.options(), Profiler.OFF, null);
                }
            }
            if (!tap.fired()) {
                throw new IllegalStateException("layer " + layer + " ran no MoE block in step " + step);
            }
            return build(tap, step, phase, tokenId, position, sequence, options);
        } finally {
            transformer.setTap(null);
            caches.forEach(KvCache::close);
        }
    }

    private MoeTokenTrace build(MoeTokenTap tap, int step, Phase phase, int tokenId, int position, int sequence,
                                MoeOptions options) {
        MoeShape shape = config.moeShape();
        MoeLayerWeights w = transformer.weights().layers().get(tap.layer()).moe();
        LayerRouting routing = tap.routing();
        int k = shape.topK();
        int e = shape.experts();
        float[] probs = new float[e];
        System.arraycopy(routing.probs(), tap.row() * e, probs, 0, e);
        List<MoeTokenTrace.ExpertPass> passes = new ArrayList<>(k);
        float[] sum = new float[shape.hidden()];
        for (int s = 0; s < k; s++) {
            int expert = routing.ids()[tap.row() * k + s];
            float weight = routing.weights()[tap.row() * k + s];
            ExpertMath.Pass pass = ExpertMath.apply(backend, w, shape, expert, tap.normedIn());
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weight * pass.down()[i];
            }
            passes.add(new MoeTokenTrace.ExpertPass(s, expert, probs[expert], weight, pass.gate(), pass.up(),
                    pass.act(), pass.down()));
        }
        return new MoeTokenTrace(step, phase, tap.layer(), tap.row(), tokenId, position, sequence, shape, options,
                MoeBlock.q8Applies(w, options), backend.groupedGemmTileRows(), tap.residualIn(), tap.normedIn(),
                tap.logits(), probs, passes, sum, tap.output(), tap.residualOut(), routing);
    }

    private void check(RunReplay replay, int step, int layer, int row) {
        if (replay == null) {
            throw new IllegalArgumentException("replay must not be null");
        }
        if (step < 0 || step > replay.decodeSteps().size()) {
            throw new IllegalArgumentException("step " + step + " is not in the run: it has steps 0 to "
                    + replay.decodeSteps().size());
        }
        if (layer < 0 || layer >= config.numHiddenLayers() || !config.isMoeLayer(layer)) {
            throw new IllegalArgumentException("layer " + layer + " is not a MoE layer of this model ("
                    + config.numHiddenLayers() + " layers); pick a layer that has experts");
        }
        int rows = step == 0 ? replay.prompt().length : replay.decodeSteps().get(step - 1).tokens().length;
        if (row < 0 || row >= rows) {
            throw new IllegalArgumentException("row " + row + " is not in step " + step + ", which has " + rows
                    + " token" + (rows == 1 ? "" : "s"));
        }
        for (RunReplay.DecodeStep d : replay.decodeSteps()) {
            for (int s : d.sequences()) {
                if (s < 0 || s >= replay.batch()) {
                    throw new IllegalArgumentException("a decode step names sequence " + s + " of a batch of "
                            + replay.batch());
                }
            }
        }
    }
}
