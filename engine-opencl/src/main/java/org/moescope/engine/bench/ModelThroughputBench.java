package org.moescope.engine.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;

/**
 * Whole-model prefill and decode tokens/s through {@link InferenceSession}, profiling off: a warm-up generation
 * (kernels compiled, caches made), then {@code repeats} prefills of a random prompt of {@code promptTokens} ids
 * (median wall time), the last followed by {@code decodeTokens} greedy decode steps of one sequence (tokens / total
 * wall time). Step wall times are the session's own ({@link StepResult#wallNanos()}), which include sampling.
 */
public final class ModelThroughputBench {
    private ModelThroughputBench() {
    }

    /**
     * @param backend a backend for this model alone: the session takes ownership and closes it
     */
    public static ModelThroughput measure(String label, ModelSource source, Backend backend, int promptTokens,
                                          int decodeTokens, int repeats, MoeOptions options, Consumer<String> progress) {
        if (promptTokens < 1 || decodeTokens < 1 || repeats < 1) {
            throw new IllegalArgumentException("promptTokens, decodeTokens and repeats must be >= 1, got "
                    + promptTokens + ", " + decodeTokens + ", " + repeats);
        }
        Consumer<String> log = progress == null ? s -> { } : progress;
        MoeOptions opts = options.withProfiling(false);
        try (InferenceSession session = InferenceSession.open(source, backend, null)) {
            ModelConfig c = session.config();
            String what = String.format(Locale.ROOT, "%s, %d layers, %s", source instanceof ModelSource.Synthetic
                    ? "synthetic" : "checkpoint", c.numHiddenLayers(), c.dtype());
            int prompt = Math.min(promptTokens, c.maxPositionEmbeddings() - decodeTokens - 1);
            if (prompt < 1) {
                return ModelThroughput.failed(label, "max_position_embeddings " + c.maxPositionEmbeddings()
                        + " leaves no room for the prompt");
            }
            int[] ids = new Random(17).ints(prompt, 0, c.vocabSize()).toArray();
            log.accept(label + ": warm-up");
            session.prefill(Arrays.copyOf(ids, Math.min(prompt, 8)), 1, 3, SamplingSettings.GREEDY, opts, false);
            for (int i = 0; i < 2 && !session.finished(); i++) {
                session.step(opts, false);
            }
            double[] prefillSeconds = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                log.accept(label + ": prefill " + prompt + " tokens (" + (r + 1) + "/" + repeats + ")");
                StepResult s = session.prefill(ids, 1, decodeTokens + 1, SamplingSettings.GREEDY, opts, false);
                prefillSeconds[r] = s.wallNanos() / 1e9;
            }
            log.accept(label + ": decode " + decodeTokens + " tokens");
            long decodeNanos = 0;
            int decoded = 0;
            while (decoded < decodeTokens && !session.finished()) {
                decodeNanos += session.step(opts, false).wallNanos();
                decoded++;
            }
            double prefillMedian = SampleStats.of(prefillSeconds).median();
            return new ModelThroughput(label, what, prompt, prompt / prefillMedian, decoded,
                    decoded == 0 ? Double.NaN : decoded / (decodeNanos / 1e9), null);
        } catch (EngineException | IllegalArgumentException | IllegalStateException e) {
            return ModelThroughput.failed(label, e.getMessage());
        }
    }
}
