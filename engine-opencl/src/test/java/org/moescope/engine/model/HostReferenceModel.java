package org.moescope.engine.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.moescope.engine.backend.Precision;

/**
 * An independent Qwen3-MoE forward pass in double precision over the tensors of a {@link SafetensorsWriter}, written
 * straight from the Hugging Face modelling code (no Backend, no engine classes but the config): the oracle for random
 * checkpoints with dense layers, tied embeddings and norm_topk_prob false.
 */
final class HostReferenceModel {

    private final ModelConfig c;
    private final SafetensorsWriter tensors;

    HostReferenceModel(ModelConfig config, SafetensorsWriter tensors) {
        this.c = config;
        this.tensors = tensors;
    }

    private double[] t(String name) {
        SafetensorsWriter.Entry e = tensors.entries().get(name);
        ByteBuffer b = ByteBuffer.wrap(e.data()).order(ByteOrder.LITTLE_ENDIAN);
        int width = e.dtypeName().equals("F32") ? 4 : 2;
        double[] out = new double[e.data().length / width];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.dtypeName()) {
                case "F32" -> b.getFloat();
                case "F16" -> Precision.f16ToFloat(b.getShort());
                case "BF16" -> Precision.bf16ToFloat(b.getShort());
                default -> throw new IllegalStateException(e.dtypeName());
            };
        }
        return out;
    }

    /** y [rows, out] = x [rows, in] · w[out, in]^T */
    private static double[] linear(double[] x, double[] w, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = s;
            }
        }
        return y;
    }

    private double[] rms(double[] x, double[] w, int rows, int n) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += x[r * n + i] * x[r * n + i];
            }
            double inv = 1 / Math.sqrt(ss / n + c.rmsNormEps());
            for (int i = 0; i < n; i++) {
                y[r * n + i] = x[r * n + i] * inv * w[i];
            }
        }
        return y;
    }

    private void rope(double[] x, int tokens, int heads) {
        int d = c.headDim();
        int half = d / 2;
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < half; i++) {
                double angle = t * Math.pow(c.ropeTheta(), -2.0 * i / d);
                for (int h = 0; h < heads; h++) {
                    int base = (t * heads + h) * d;
                    double a = x[base + i];
                    double b = x[base + i + half];
                    x[base + i] = a * Math.cos(angle) - b * Math.sin(angle);
                    x[base + i + half] = b * Math.cos(angle) + a * Math.sin(angle);
                }
            }
        }
    }

    private static double silu(double x) {
        return x / (1 + Math.exp(-x));
    }

    /** Logits {@code [T, vocab]} of the whole prompt. */
    double[] prefill(int[] ids) {
        int tokens = ids.length;
        int h = c.hiddenSize();
        int hd = c.headDim();
        double[] embed = t("model.embed_tokens.weight");
        double[] x = new double[tokens * h];
        for (int i = 0; i < tokens; i++) {
            System.arraycopy(embed, ids[i] * h, x, i * h, h);
        }
        for (int l = 0; l < c.numHiddenLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[] xn = rms(x, t(p + "input_layernorm.weight"), tokens, h);
            double[] q = linear(xn, t(p + "self_attn.q_proj.weight"), tokens, h, c.qDim());
            double[] k = linear(xn, t(p + "self_attn.k_proj.weight"), tokens, h, c.kvDim());
            double[] v = linear(xn, t(p + "self_attn.v_proj.weight"), tokens, h, c.kvDim());
            q = rms(q, t(p + "self_attn.q_norm.weight"), tokens * c.numAttentionHeads(), hd);
            k = rms(k, t(p + "self_attn.k_norm.weight"), tokens * c.numKeyValueHeads(), hd);
            rope(q, tokens, c.numAttentionHeads());
            rope(k, tokens, c.numKeyValueHeads());
            double[] attn = new double[tokens * c.qDim()];
            int group = c.numAttentionHeads() / c.numKeyValueHeads();
            for (int t = 0; t < tokens; t++) {
                for (int head = 0; head < c.numAttentionHeads(); head++) {
                    int kvh = head / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[(t * c.numAttentionHeads() + head) * hd + i] * k[(j * c.numKeyValueHeads() + kvh) * hd + i];
                        }
                        s[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            attn[(t * c.numAttentionHeads() + head) * hd + i] += s[j] / sum * v[(j * c.numKeyValueHeads() + kvh) * hd + i];
                        }
                    }
                }
            }
            double[] o = linear(attn, t(p + "self_attn.o_proj.weight"), tokens, c.qDim(), h);
            for (int i = 0; i < x.length; i++) {
                x[i] += o[i];
            }
            xn = rms(x, t(p + "post_attention_layernorm.weight"), tokens, h);
            double[] ffn = c.isMoeLayer(l) ? moe(p, xn, tokens) : mlp(p, xn, tokens, c.intermediateSize(), "mlp.");
            for (int i = 0; i < x.length; i++) {
                x[i] += ffn[i];
            }
        }
        double[] xn = rms(x, t("model.norm.weight"), tokens, h);
        double[] head = c.tieWordEmbeddings() ? embed : t("lm_head.weight");
        return linear(xn, head, tokens, h, c.vocabSize());
    }

    private double[] mlp(String p, double[] xn, int tokens, int inter, String prefix) {
        int h = c.hiddenSize();
        double[] g = linear(xn, t(p + prefix + "gate_proj.weight"), tokens, h, inter);
        double[] u = linear(xn, t(p + prefix + "up_proj.weight"), tokens, h, inter);
        for (int i = 0; i < g.length; i++) {
            g[i] = silu(g[i]) * u[i];
        }
        return linear(g, t(p + prefix + "down_proj.weight"), tokens, inter, h);
    }

    private double[] moe(String p, double[] xn, int tokens) {
        int h = c.hiddenSize();
        int experts = c.numExperts();
        double[] logits = linear(xn, t(p + "mlp.gate.weight"), tokens, h, experts);
        double[] out = new double[tokens * h];
        for (int t = 0; t < tokens; t++) {
            double[] probs = Arrays.copyOfRange(logits, t * experts, (t + 1) * experts);
            double max = Arrays.stream(probs).max().orElseThrow();
            double sum = 0;
            for (int e = 0; e < experts; e++) {
                probs[e] = Math.exp(probs[e] - max);
                sum += probs[e];
            }
            for (int e = 0; e < experts; e++) {
                probs[e] /= sum;
            }
            Integer[] order = new Integer[experts];
            Arrays.setAll(order, i -> i);
            final double[] pr = probs;
            Arrays.sort(order, (a, b) -> pr[a] != pr[b] ? Double.compare(pr[b], pr[a]) : Integer.compare(a, b));
            double topSum = 0;
            for (int s = 0; s < c.numExpertsPerTok(); s++) {
                topSum += probs[order[s]];
            }
            double[] row = Arrays.copyOfRange(xn, t * h, (t + 1) * h);
            for (int s = 0; s < c.numExpertsPerTok(); s++) {
                int e = order[s];
                double weight = c.normTopkProb() ? probs[e] / topSum : probs[e];
                double[] y = mlp(p, row, 1, c.moeIntermediateSize(), "mlp.experts." + e + ".");
                for (int i = 0; i < h; i++) {
                    out[t * h + i] += weight * y[i];
                }
            }
        }
        return out;
    }
}
