/**
 * The Qwen3-MoE model over a {@link org.moescope.engine.backend.Backend}: {@link org.moescope.engine.model.ModelConfig}
 * (config.json, both transformers naming styles), {@link org.moescope.engine.model.SafetensorsCheckpoint} and
 * {@link org.moescope.engine.model.CheckpointLoader} (validated, memory-mapped uploads),
 * {@link org.moescope.engine.model.SyntheticWeights} and {@link org.moescope.engine.model.ModelPresets} (real shapes,
 * random weights made on the device), {@link org.moescope.engine.model.WeightLayout} (what a model consists of, shared
 * by both), {@link org.moescope.engine.model.KvCache} and {@link org.moescope.engine.model.Transformer} (prefill,
 * decode, batched decode).
 */
package org.moescope.engine.model;
