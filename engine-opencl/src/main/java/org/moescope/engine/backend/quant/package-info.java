/**
 * ggml's quantized blocks on the host, the definitions every backend follows:
 * {@link org.moescope.engine.backend.quant.BlockDequantizer} decodes Q8_0, Q4_0, Q5_0, Q4_K, Q5_K and Q6_K bit for bit
 * as ggml's {@code dequantize_row_*}; {@link org.moescope.engine.backend.quant.BlockQuantizer} makes them as ggml's
 * reference quantizers (GGUF writing, constant fills, Q8_0 activations);
 * {@link org.moescope.engine.backend.quant.RandomBlocks} defines {@code Backend.fillRandom} for quantized buffers with
 * integer operations a kernel can repeat; {@link org.moescope.engine.backend.quant.Q8Dot} is the reference integer dot
 * product of quantized weights with Q8_0 activations. Pure functions over little-endian byte buffers, no device code.
 */
package org.moescope.engine.backend.quant;
