/**
 * GGUF files, llama.cpp's format: {@link org.moescope.engine.model.gguf.GgufFile} reads versions 2 and 3 (and split
 * files from their first part) over memory-mapped windows and checks every section before anything is allocated;
 * {@link org.moescope.engine.model.gguf.GgufModelConfig} makes a ModelConfig from the {@code qwen3moe.*} keys;
 * {@link org.moescope.engine.model.gguf.GgufLoader} fills the {@link org.moescope.engine.model.WeightLayout} from
 * llama.cpp's tensor names, each weight in its stored type (quantized blocks stay quantized);
 * {@link org.moescope.engine.model.gguf.GgufWriter} and {@link org.moescope.engine.model.gguf.GgufModelWriter} write
 * files that ggml's tools read.
 */
package org.moescope.engine.model.gguf;
