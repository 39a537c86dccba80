/**
 * The engine's API for the app and the CLI: load a model, run prefill and decode steps, get tokens, timings and
 * routing back as immutable {@link org.moescope.engine.session.StepResult}s.
 *
 * <pre>
 * try (InferenceSession s = InferenceSession.open(ModelSource.parse("qwen3-30b-a3b"), "0", (f, m) -&gt; log(m))) {
 *     int[] prompt = s.hasTokenizer() ? s.encode("Mixture of experts") : new int[] {1, 2, 3};
 *     StepResult r = s.prefill(prompt, 1, 64, SamplingSettings.GREEDY, MoeOptions.DEFAULT.withProfiling(true), true);
 *     while (!s.finished()) {
 *         r = s.step(MoeOptions.DEFAULT, false);   // switches may change between steps
 *         System.out.print(r.newText()[0]);
 *     }
 * }
 * </pre>
 *
 * A session is single-threaded (one worker thread at a time). Bad requests (empty prompt, ids outside the vocabulary,
 * context overflow) throw {@link java.lang.IllegalArgumentException} before any work; loading failures throw
 * {@link org.moescope.engine.backend.EngineException} and leave nothing allocated.
 */
package org.moescope.engine.session;
