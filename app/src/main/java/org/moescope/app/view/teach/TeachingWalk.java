package org.moescope.app.view.teach;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.moescope.engine.moe.MoeShape;
import org.moescope.engine.profile.MoeTokenTrace;
import org.moescope.engine.profile.Phase;

/**
 * The teaching walk of one {@link MoeTokenTrace}: one token through one MoE layer, stop by stop, with the run's
 * numbers. Decode: hidden state, RMSNorm, router logits, softmax, top-k, renormalisation, dispatch, each chosen
 * expert, weighted sum, residual add. Prefill adds the grouped dispatch (tokens per expert, work list, GEMM tiles),
 * batched decode the (sequence, expert) pairs ({@link DispatchPhases}). Pure data: the view shows it, tests read it.
 */
public final class TeachingWalk {
    private final MoeTokenTrace trace;
    private final List<WalkPhase> phases;

    private TeachingWalk(MoeTokenTrace trace, List<WalkPhase> phases) {
        this.trace = trace;
        this.phases = List.copyOf(phases);
    }

    public MoeTokenTrace trace() {
        return trace;
    }

    public List<WalkPhase> phases() {
        return phases;
    }

    public int size() {
        return phases.size();
    }

    /** Index of the phase {@code id}, -1 when the walk has none. */
    public int indexOf(String id) {
        for (int i = 0; i < phases.size(); i++) {
            if (phases.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    /** The walk of {@code t}; {@code tokenText} gives a token id's text ("[id]" style for models without a tokenizer). */
    public static TeachingWalk of(MoeTokenTrace t, IntFunction<String> tokenText) {
        MoeShape s = t.shape();
        int h = s.hidden();
        int e = s.experts();
        int k = s.topK();
        List<WalkPhase> p = new ArrayList<>();
        String token = "'" + printable(tokenText.apply(t.tokenId())) + "'";
        p.add(new WalkPhase("token", "Token " + token + " at layer " + t.layer(),
                "We follow one token through one Mixture-of-Experts block: a router picks " + k + " of " + e
                        + " experts, each runs a small SwiGLU MLP, and their outputs are mixed. Every number is from"
                        + " this run.",
                tokenLines(t, token)));
        p.add(new WalkPhase("hidden", "Hidden state entering the block",
                "After attention, the residual stream carries this token's " + h + "-number hidden state into the"
                        + " MoE sub-block.",
                List.of(WalkLine.vector(NumberText.vector("residual", "residual", "[" + h + "]", t.residualIn(),
                        "the residual stream of this token after the attention residual add")))));
        p.add(new WalkPhase("norm", "Post-attention RMSNorm",
                "x = residual / rms(residual) · w_norm. The MoE block sees this normalised x; the residual itself"
                        + " is kept for the add at the end.",
                List.of(WalkLine.vector(NumberText.vector("x", "x = RMSNorm(residual)", "[" + h + "]", t.normedIn(),
                        "the MoE block's input: the hidden state after the post-attention RMSNorm")),
                        WalkLine.of(WalkCell.label("rms(residual) =", "root mean square of the residual: √(Σ r² / h)"),
                                WalkCell.number(NumberText.norm(t.residualIn()) / Math.sqrt(h),
                                        "root mean square of the residual stream, the divisor of the RMSNorm")))));
        p.add(new WalkPhase("logits", "Router logits",
                "logits = W_router · x: one score per expert, " + h + " → " + e + ". The router is a single"
                        + " linear layer.",
                routerLines(t, t.logits(), "logits", "logit")));
        p.add(new WalkPhase("softmax", "Softmax",
                "p = softmax(logits) = exp(logits − max) / Σ exp(…): the scores become probabilities that add"
                        + " up to 1.",
                routerLines(t, t.probs(), "p", "probability")));
        p.add(topK(t));
        p.add(renormalisation(t));
        p.addAll(DispatchPhases.of(t));
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            p.add(expert(t, pass));
        }
        p.add(weightedSum(t));
        p.add(residual(t));
        return new TeachingWalk(t, p);
    }

    private static List<WalkLine> tokenLines(MoeTokenTrace t, String token) {
        MoeShape s = t.shape();
        int rows = t.layerRouting().tokens();
        List<WalkLine> lines = new ArrayList<>();
        List<WalkCell> who = new ArrayList<>(List.of(
                WalkCell.label("token " + token + " · id", "the token being followed and its vocabulary id"),
                WalkCell.count(t.tokenId(), "the token's id in the vocabulary"),
                WalkCell.label("· position", "its position in its sequence (0 = the first prompt token)"),
                WalkCell.count(t.position(), "position in the sequence")));
        if (t.phase() == Phase.BATCHED_DECODE) {
            who.add(WalkCell.label("· sequence", "which of the batch's sequences it belongs to"));
            who.add(WalkCell.count(t.sequence(), "sequence index"));
        }
        lines.add(new WalkLine(who));
        lines.add(WalkLine.of(WalkCell.label("step", "the step of the run this token was processed in (0 = prefill)"),
                WalkCell.count(t.step(), "the run's step"),
                WalkCell.label("· " + t.phase().label() + " ·", "the path the engine took for this step"),
                WalkCell.count(rows, "tokens processed together in this step"),
                WalkCell.label("token" + (rows == 1 ? "" : "s") + " in the step · row", "this token's row among them"),
                WalkCell.count(t.row(), "the token's row in the step")));
        lines.add(WalkLine.of(WalkCell.label("hidden h =", "the model width: numbers per token"),
                WalkCell.count(s.hidden(), "hidden size"),
                WalkCell.label("· experts E =", "experts in each MoE layer"),
                WalkCell.count(s.experts(), "num_experts"),
                WalkCell.label("· top-k =", "experts each token runs through"),
                WalkCell.count(s.topK(), "num_experts_per_tok"),
                WalkCell.label("· expert width =", "the intermediate size of one expert's MLP"),
                WalkCell.count(s.inter(), "moe_intermediate_size")));
        lines.add(WalkLine.of(WalkCell.label("norm_topk_prob = " + s.normTopk() + " · switches: "
                        + t.options().label(), "whether the top-k weights are renormalised, and the kernel switches"
                        + " the step ran with")));
        if (t.q8Activations()) {
            lines.add(WalkLine.of(WalkCell.label("Q8 activations: the device multiplied Q8_0 copies of x and of"
                    + " SiLU(gate)·up; the host recomputes in float", "why host and device differ a little more here")));
        }
        return lines;
    }

    private static List<WalkLine> routerLines(MoeTokenTrace t, float[] v, String name, String what) {
        int e = v.length;
        List<WalkLine> lines = new ArrayList<>();
        lines.add(WalkLine.vector(NumberText.vector(name, name.equals("p") ? "p = softmax(logits)"
                : "logits = W_router · x", t.shape().hidden() + " → " + e, v, "the router's " + what
                + " for each of the " + e + " experts")));
        lines.add(WalkLine.of(WalkCell.label("largest:", "the experts with the highest " + what + "s, best first")));
        int[] order = order(t.probs());
        for (int i = 0; i < Math.min(e, t.shape().topK() + 2); i++) {
            int x = order[i];
            boolean chosen = i < t.shape().topK();
            lines.add(WalkLine.of(WalkCell.label("expert " + x + (chosen ? " ★" : ""), chosen
                            ? "expert " + x + " is among the top-" + t.shape().topK() : "expert " + x + " just misses the top-k"),
                    WalkCell.number(v[x], what + " of expert " + x + (name.equals("p")
                            ? ": its share of the router's belief" : ": W_router row " + x + " dotted with x"))));
        }
        if (name.equals("p")) {
            double sum = 0;
            for (float x : v) {
                sum += x;
            }
            lines.add(WalkLine.of(WalkCell.label("Σ p =", "the probabilities of all experts add up to 1"),
                    WalkCell.number(sum, "sum of all " + e + " probabilities")));
        }
        return lines;
    }

    private static WalkPhase topK(MoeTokenTrace t) {
        int k = t.shape().topK();
        List<WalkLine> lines = new ArrayList<>();
        lines.add(WalkLine.of(WalkCell.label("rank · expert · probability", "the chosen experts in descending order")));
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            lines.add(WalkLine.of(WalkCell.label("#" + (pass.slot() + 1) + " · expert " + pass.expert() + " ·",
                            "top-k slot " + pass.slot() + ": expert " + pass.expert()),
                    WalkCell.number(pass.probability(), "softmax probability of expert " + pass.expert())));
        }
        lines.add(WalkLine.of(WalkCell.label("Σ top-" + k + " p =", "how much of the probability the chosen experts hold"),
                WalkCell.number(t.topKProbabilitySum(), "sum of the chosen experts' probabilities")));
        return new WalkPhase("topk", "Top-" + k + " experts",
                "Only the " + k + " most probable of " + t.shape().experts() + " experts run for this token; the other "
                        + (t.shape().experts() - k) + " are skipped. That is the sparsity of a MoE.", lines);
    }

    private static WalkPhase renormalisation(MoeTokenTrace t) {
        boolean norm = t.shape().normTopk();
        double sum = t.topKProbabilitySum();
        List<WalkLine> lines = new ArrayList<>();
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            lines.add(WalkLine.of(WalkCell.label("w(expert " + pass.expert() + ") =", "the weight expert "
                            + pass.expert() + "'s output is mixed with"),
                    WalkCell.number(pass.probability(), "its probability"),
                    WalkCell.label(norm ? "/" : "", norm ? "divided by the top-k sum" : ""),
                    norm ? WalkCell.number(sum, "the sum of the top-k probabilities") : WalkCell.label("", ""),
                    WalkCell.label("=", ""),
                    WalkCell.number(pass.weight(), "the routing weight the device used for expert " + pass.expert())));
        }
        return new WalkPhase("renorm", norm ? "Renormalisation" : "No renormalisation",
                norm ? "This model sets norm_topk_prob: the chosen probabilities are divided by their sum so that the "
                        + t.shape().topK() + " weights add up to 1."
                        : "This model leaves norm_topk_prob off: each weight is the expert's probability as it is, so the"
                        + " weights add up to less than 1.", lines);
    }

    private static WalkPhase expert(MoeTokenTrace t, MoeTokenTrace.ExpertPass pass) {
        int h = t.shape().hidden();
        int inter = t.shape().inter();
        int e = pass.expert();
        return new WalkPhase("expert-" + pass.slot(), "Expert " + e + " (choice " + (pass.slot() + 1) + " of "
                + t.shape().topK() + ")",
                "A SwiGLU MLP of its own: gate and up project x from " + h + " to " + inter + ", SiLU(gate) · up"
                        + " gates it, down projects back to " + h + ".",
                List.of(WalkLine.vector(NumberText.vector("gate", "gate = W_gate[" + e + "] · x", h + " → " + inter,
                                pass.gate(), "expert " + e + "'s gate projection of x")),
                        WalkLine.vector(NumberText.vector("up", "up = W_up[" + e + "] · x", h + " → " + inter, pass.up(),
                                "expert " + e + "'s up projection of x")),
                        WalkLine.vector(NumberText.vector("act", "act = SiLU(gate) · up", "[" + inter + "]", pass.act(),
                                "SiLU(g) = g / (1 + e^−g) of the gate, times up, element by element")),
                        WalkLine.vector(NumberText.vector("down", "down = W_down[" + e + "] · act", inter + " → " + h,
                                pass.down(), "expert " + e + "'s output for this token"))));
    }

    private static WalkPhase weightedSum(MoeTokenTrace t) {
        int h = t.shape().hidden();
        List<WalkLine> lines = new ArrayList<>();
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            lines.add(WalkLine.of(WalkCell.number(pass.weight(), "routing weight of expert " + pass.expert()),
                    WalkCell.label("× down(expert " + pass.expert() + "), ‖down‖ =", "expert " + pass.expert()
                            + "'s output, scaled by its weight"),
                    WalkCell.number(NumberText.norm(pass.down()), "the norm of expert " + pass.expert() + "'s output")));
        }
        lines.add(WalkLine.vector(NumberText.vector("y", "y = Σ w · down", "[" + h + "]", t.weightedSum(),
                "the weighted sum of the chosen experts' outputs, recomputed on the host")));
        lines.add(WalkLine.vector(NumberText.vector("y(device)", "y on the device", "[" + h + "]", t.deviceOutput(),
                "the MoE block's output for this token as the device computed it")));
        lines.add(WalkLine.of(WalkCell.label("largest |host − device| =", "how far the host's recomputation is from"
                        + " the device's output (float rounding" + (t.q8Activations() ? " and Q8_0 activations" : "") + ")"),
                WalkCell.number(maxDifference(t.weightedSum(), t.deviceOutput()), "largest element-wise difference")));
        return new WalkPhase("wsum", "Weighted sum",
                "y = Σ w_j · down_j over the " + t.shape().topK() + " chosen experts: the MoE block's output.", lines);
    }

    private static WalkPhase residual(MoeTokenTrace t) {
        int h = t.shape().hidden();
        String how = t.phase() == Phase.DECODE
                ? "In decode the add is fused into the wsum kernel, together with the next layer's RMSNorm."
                : "Prefill and batched decode add it in a separate residual stage.";
        return new WalkPhase("residual", "Residual add",
                "residual ← residual + y: the block adds its output to the stream it read, which carries the token to"
                        + " the next layer. " + how,
                List.of(WalkLine.vector(NumberText.vector("residual", "residual (before)", "[" + h + "]", t.residualIn(),
                                "the residual stream entering the block")),
                        WalkLine.vector(NumberText.vector("y", "+ y", "[" + h + "]", t.deviceOutput(),
                                "the MoE block's output (device)")),
                        WalkLine.vector(NumberText.vector("residual'", "= residual (after)", "[" + h + "]", t.residualOut(),
                                "the residual stream leaving the layer, as the device holds it"))));
    }

    static int[] order(float[] probs) {
        Integer[] idx = new Integer[probs.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> probs[a] != probs[b] ? Float.compare(probs[b], probs[a]) : Integer.compare(a, b));
        int[] out = new int[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }

    private static double maxDifference(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    static String printable(String text) {
        return text == null ? "" : text.replace("\n", "\\n").replace("\t", "\\t");
    }
}
