package org.moescope.app.view.routing;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.moe.MoeBlock;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.Phase;

/**
 * The MoE stages one token goes through at one layer, with the tensor shapes at each, for the token inspector.
 * Stage names are the engine's profiler names, so the inspector and the flame chart speak the same words. Shapes use
 * the model's sizes when known, else the symbols h (hidden size), I (expert intermediate size), E (experts).
 */
public final class MoeStagePath {

    /** One stage: its profiler name, what it computes, and the shapes in and out (for this token, and for the step). */
    public record Stage(String name, String operation, String input, String output) {
    }

    private MoeStagePath() {
    }

    /** {@link #of(Phase, MoeOptions, boolean, int, int, int, int, int, boolean)} on float expert weights. */
    public static List<Stage> of(Phase phase, MoeOptions options, int hidden, int inter, int experts, int k, int tokens,
                                 boolean normTopk) {
        return of(phase, options, false, hidden, inter, experts, k, tokens, normTopk);
    }

    /**
     * @param phase   the path the step ran
     * @param options the switches the step ran with (decides fused vs gate/up/silu, host vs device top-k, and with
     *                quantized experts Q8 activations)
     * @param quantizedExperts the model's expert weights are quantized, so Q8 activations apply when switched on
     * @param hidden  hidden size, or 0 when unknown
     * @param inter   expert intermediate size, or 0 when unknown
     * @param experts number of experts, or 0 when unknown
     * @param k       experts per token
     * @param tokens  rows the step processed (T for prefill, B for batched decode, 1 for decode)
     */
    public static List<Stage> of(Phase phase, MoeOptions options, boolean quantizedExperts, int hidden, int inter,
                                 int experts, int k, int tokens, boolean normTopk) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        if (tokens <= 0) {
            throw new IllegalArgumentException("tokens must be > 0, got " + tokens);
        }
        String h = hidden > 0 ? Integer.toString(hidden) : "h";
        String i = inter > 0 ? Integer.toString(inter) : "I";
        String e = experts > 0 ? Integer.toString(experts) : "E";
        String x = "[1, " + h + "]";
        String kI = k + " \u00d7 [" + i + "]";
        String kH = k + " \u00d7 [" + h + "]";
        String batch = tokens > 1 ? " (step: " + tokens + " tokens, [" + tokens + ", " + h + "])" : "";
        String weights = normTopk ? "weights renormalised to sum 1" : "raw softmax weights";
        boolean q8 = options.q8Activations() && quantizedExperts;
        String sfx = q8 ? MoeBlock.Q8_SUFFIX : "";
        String dots = q8 ? ", integer dot products per block" : "";
        String xIn = q8 ? x + " Q8_0" : x;
        List<Stage> out = new ArrayList<>();
        out.add(new Stage("router", "router logits = x \u00b7 W_router[" + h + ", " + e + "]" + batch, x, "[1, " + e + "]"));
        if (phase == Phase.PREFILL) {
            boolean host = options.hostTopk();
            out.add(new Stage(host ? "host_topk" : "route_ids",
                    (host ? "logits read back; softmax + top-" + k + " and per-expert token lists built on the host"
                            : "softmax + top-" + k + " and per-expert token lists built on the device")
                            + "; " + weights + "; GEMM grid "
                            + (options.indirectDispatch() ? "from the device work list (indirect)" : "sized on the host (direct)"),
                    "[1, " + e + "]", k + " ids + " + k + " weights"));
            quantize(out, q8, x);
            out.add(new Stage("gate" + sfx, "grouped GEMM: each chosen expert multiplies its tokens by W_gate[" + h + ", " + i + "]" + dots, xIn, kI));
            out.add(new Stage("up" + sfx, "grouped GEMM with W_up[" + h + ", " + i + "]" + dots, xIn, kI));
            out.add(new Stage("silu", "silu(gate) \u00b7 up, element-wise", kI + " \u00d7 2", kI));
        } else {
            out.add(new Stage("route", "softmax + top-" + k + "; " + weights, "[1, " + e + "]", k + " ids + " + k + " weights"));
            quantize(out, q8, x);
            if (options.fusedGateUpSilu()) {
                out.add(new Stage("gate_up_silu" + sfx, "one kernel: gate and up GEMV for the " + k + " experts, then silu(gate) \u00b7 up" + dots,
                        xIn, kI));
            } else {
                out.add(new Stage("gate" + sfx, "GEMV with each chosen expert's W_gate[" + h + ", " + i + "]" + dots, xIn, kI));
                out.add(new Stage("up" + sfx, "GEMV with each chosen expert's W_up[" + h + ", " + i + "]" + dots, xIn, kI));
                out.add(new Stage("silu", "silu(gate) \u00b7 up, element-wise", kI + " \u00d7 2", kI));
            }
        }
        if (q8) {
            out.add(new Stage(MoeBlock.QUANTIZE_Q8_DOWN, "down's input quantized to Q8_0 blocks of 32 (one scale each)", kI,
                    kI + " Q8_0"));
        }
        out.add(new Stage("down" + sfx, "each chosen expert's W_down[" + i + ", " + h + "]" + dots, q8 ? kI + " Q8_0" : kI, kH));
        out.add(new Stage("wsum", "\u03a3 w_j \u00b7 down_j over the chosen experts, added to the residual", kH, x));
        return out;
    }

    private static void quantize(List<Stage> out, boolean q8, String x) {
        if (q8) {
            out.add(new Stage(MoeBlock.QUANTIZE_Q8, "the expert input quantized to Q8_0 blocks of 32 (one scale each)", x,
                    x + " Q8_0"));
        }
    }

    /** "[1, 2048] → 8 × [768] → [2048]": the shape summary of the path. */
    public static String summary(int hidden, int inter, int k) {
        String h = hidden > 0 ? Integer.toString(hidden) : "h";
        String i = inter > 0 ? Integer.toString(inter) : "I";
        return "[1, " + h + "] \u2192 " + k + " \u00d7 [" + i + "] \u2192 [" + h + "]";
    }
}
