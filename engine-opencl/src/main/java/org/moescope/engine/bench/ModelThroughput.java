package org.moescope.engine.bench;

/**
 * Whole-model throughput through the inference session: one prefill of {@code promptTokens}, then
 * {@code decodeTokens} greedy decode steps of one sequence. Wall times on the host, profiling off.
 *
 * @param model              model name (folder or preset)
 * @param description        what was loaded (layers, dtype, source)
 * @param prefillTokensPerSec prompt tokens / prefill wall time (NaN when it failed)
 * @param decodeTokensPerSec  decode steps / their wall time, median step (NaN when it failed)
 * @param error              why it could not run, or null
 */
public record ModelThroughput(String model, String description, int promptTokens, double prefillTokensPerSec,
                              int decodeTokens, double decodeTokensPerSec, String error) {

    public static ModelThroughput failed(String model, String error) {
        return new ModelThroughput(model, "", 0, Double.NaN, 0, Double.NaN, error);
    }
}
