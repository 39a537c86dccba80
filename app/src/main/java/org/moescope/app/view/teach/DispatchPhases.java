package org.moescope.app.view.teach;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.moe.DispatchPlan;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.profile.MoeTokenTrace;

/**
 * The walk's stops between routing and the experts, which differ by path: decode sends one token's k pairs to k
 * pair-indexed GEMVs; prefill groups all the step's pairs by expert (tokens per expert, the work list, the grouped
 * GEMM's row tiles); batched decode runs the (sequence, expert) pairs of all sequences together.
 */
final class DispatchPhases {
    private DispatchPhases() {
    }

    static List<WalkPhase> of(MoeTokenTrace t) {
        return switch (t.phase()) {
            case PREFILL -> prefill(t);
            case BATCHED_DECODE -> List.of(pairsOfThisToken(t, "dispatch"), batchedPairs(t));
            default -> List.of(pairsOfThisToken(t, "dispatch"));
        };
    }

    /** The token's k pairs p = row · k + slot, each to one expert. */
    private static WalkPhase pairsOfThisToken(MoeTokenTrace t, String id) {
        int k = t.shape().topK();
        List<WalkLine> lines = new ArrayList<>();
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            int pair = t.row() * k + pass.slot();
            lines.add(WalkLine.of(WalkCell.label("pair " + pair + " → expert " + pass.expert() + ", weight",
                            "pair " + pair + " = row " + t.row() + " · k + slot " + pass.slot()
                                    + ": this token's input x goes to expert " + pass.expert()),
                    WalkCell.number(pass.weight(), "the weight this pair's output is mixed with")));
        }
        String how = switch (t.phase()) {
            case DECODE -> "Decode runs one GEMV per pair: each work-group reads its expert id from the ids"
                    + " buffer and multiplies that expert's rows with x. No sorting is needed for " + k + " pairs.";
            case BATCHED_DECODE -> "Batched decode runs one GEMV per (sequence, expert) pair, for all sequences at"
                    + " once.";
            default -> "Prefill first makes every token's pairs, then groups them by expert (next stops).";
        };
        return new WalkPhase(id, "Dispatch to " + k + " experts", how, lines);
    }

    private static List<WalkPhase> prefill(MoeTokenTrace t) {
        LayerRouting r = t.layerRouting();
        int k = r.k();
        int experts = r.experts();
        DispatchPlan plan = DispatchPlan.fromIds(r.ids(), r.tokens(), experts, k);
        List<WalkPhase> out = new ArrayList<>();
        out.add(pairsOfThisToken(t, "dispatch"));

        List<WalkLine> counts = new ArrayList<>();
        int idle = 0;
        for (int e = 0; e < experts; e++) {
            idle += plan.counts()[e] == 0 ? 1 : 0;
        }
        counts.add(WalkLine.of(WalkCell.label(r.tokens() + " tokens × k = " + k + " → " + r.tokens() * k
                + " pairs over " + experts + " experts; busiest expert:", "every token of the prompt makes k pairs"),
                WalkCell.count(plan.maxPerExpert(), "the most pairs any expert got"),
                WalkCell.label("· experts with no token:", "experts that do no work in this step at this layer"),
                WalkCell.count(idle, "number of idle experts")));
        // one flowing line each, so that with top-8 the chart below stays on screen
        List<WalkCell> own = new ArrayList<>();
        own.add(WalkCell.label("this token's experts get:", "pairs routed to each of this token's experts from the"
                + " whole prompt"));
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            int e = pass.expert();
            own.add(WalkCell.label("expert " + e + " ★", "one of this token's experts"));
            own.add(WalkCell.count(plan.counts()[e], "pairs routed to expert " + e + " from the whole prompt"));
        }
        counts.add(new WalkLine(own));
        List<WalkCell> busy = new ArrayList<>();
        busy.add(WalkCell.label("busiest others:", "the experts with the most pairs, other than this token's"));
        for (int e : busiest(plan.counts(), experts)) {
            if (busy.size() == 7) {
                break;
            }
            if (t.experts().stream().noneMatch(pass -> pass.expert() == e)) {
                busy.add(WalkCell.label("expert " + e, "one of the busiest experts"));
                busy.add(WalkCell.count(plan.counts()[e], "pairs routed to expert " + e));
            }
        }
        counts.add(new WalkLine(busy));
        counts.add(WalkLine.of(WalkCell.label("Below: pairs per expert in this step; blue: this token's experts.",
                "hover a bar for its expert and count")));
        out.add(new WalkPhase("tokens-per-expert", "Tokens per expert",
                "Prefill processes all " + r.tokens() + " prompt tokens at once, so each expert gets a group of"
                        + " tokens and runs one matrix multiply over the group instead of one per token.", counts));

        List<WalkLine> work = new ArrayList<>();
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            int e = pass.expert();
            int pair = t.row() * k + pass.slot();
            int from = plan.offsets()[e];
            int to = plan.offsets()[e + 1];
            int at = -1;
            StringBuilder ids = new StringBuilder();
            for (int i = from; i < to; i++) {
                if (plan.sortedPairs()[i] == pair) {
                    at = i - from;
                }
                if (i - from < 8) {
                    ids.append(i == from ? "" : ", ").append(plan.sortedPairs()[i]);
                }
            }
            if (to - from > 8) {
                ids.append(", …");
            }
            work.add(WalkLine.of(WalkCell.label("expert " + e + ": offset", "where expert " + e + "'s pairs start in"
                            + " the expert-sorted pair list (prefix sum of the counts)"),
                    WalkCell.count(from, "offsets[" + e + "]"),
                    WalkCell.label("pairs [" + ids + "] · ours (" + pair + ") is row", "the pair ids grouped under"
                            + " expert " + e + ", ascending; pair p is token p / k"),
                    WalkCell.count(at, "this token's row inside expert " + e + "'s group")));
        }
        out.add(new WalkPhase("work-list", "Dispatch plan (work list)",
                "The device counts pairs per expert, takes a prefix sum (offsets) and writes the pair ids sorted by"
                        + " expert, so each expert's tokens lie together. The router's top-k stays on the device.",
                work));

        int tileRows = t.tileRows();
        long tiles = 0;
        for (int e = 0; e < experts; e++) {
            tiles += (plan.counts()[e] + tileRows - 1) / tileRows;
        }
        int pairs = r.tokens() * k;
        List<WalkLine> tileLines = new ArrayList<>();
        tileLines.add(WalkLine.of(WalkCell.label("rows per tile:", "rows of one work-group's tile on this device"),
                WalkCell.count(tileRows, "grouped GEMM tile rows of this device"),
                WalkCell.label("· tiles with work:", "Σ over experts of ⌈count / tile rows⌉"),
                WalkCell.count(tiles, "tiles that hold pairs")));
        tileLines.add(WalkLine.of(WalkCell.label("work-groups launched: indirect grid",
                        "work-groups launched with the device-built work list: a bound, extra ones exit at once"),
                WalkCell.count(DispatchPlan.maxTiles(pairs, experts, tileRows), "⌈pairs / tile rows⌉ + min(E, pairs)"),
                WalkCell.label("· direct grid", "work-groups of the direct grid, every expert sized for the worst case"),
                WalkCell.count(DispatchPlan.directTiles(experts, pairs, tileRows), "E × ⌈T·k / tile rows⌉")));
        List<WalkCell> ours = new ArrayList<>();
        ours.add(WalkCell.label("this token's tile per expert:", "which of each chosen expert's tiles computes this"
                + " token: its row in the expert's group / tile rows"));
        for (MoeTokenTrace.ExpertPass pass : t.experts()) {
            int e = pass.expert();
            int count = plan.counts()[e];
            int at = rowInGroup(plan, e, t.row() * k + pass.slot());
            ours.add(WalkCell.label("expert " + e + ":", "expert " + e + " has " + count + " pairs in "
                    + (count + tileRows - 1) / tileRows + " tile(s) of " + tileRows + " rows"));
            ours.add(WalkCell.count(at / tileRows, "tile index of this token's pair = " + at + " / " + tileRows));
            ours.add(WalkCell.label("of", ""));
            ours.add(WalkCell.count((count + tileRows - 1) / tileRows, "tiles of expert " + e + " = ⌈" + count + " / "
                    + tileRows + "⌉"));
        }
        tileLines.add(new WalkLine(ours));
        tileLines.add(WalkLine.of(WalkCell.label("Below: the work list, one box per tile, filled by the rows it"
                + " holds; blue: the tiles that compute this token.", "hover a tile for its expert and rows")));
        out.add(new WalkPhase("tiles", "Grouped GEMM tiles",
                "gate, up and down run as grouped GEMMs: each work-group takes one (expert, first row) tile of the work"
                        + " list and multiplies up to " + tileRows + " of that expert's tokens with its weights, so the"
                        + " expert's rows are read once per tile rather than once per token.", tileLines));
        return out;
    }

    private static WalkPhase batchedPairs(MoeTokenTrace t) {
        LayerRouting r = t.layerRouting();
        int k = r.k();
        List<WalkLine> lines = new ArrayList<>();
        int[] users = new int[r.experts()];
        for (int id : r.ids()) {
            users[id]++;
        }
        for (int row = 0; row < r.tokens(); row++) {
            List<WalkCell> cells = new ArrayList<>();
            cells.add(WalkCell.label((row == t.row() ? "★ " : "") + "row " + row + " → experts", "the pairs of row "
                    + row + " (one sequence's token): pairs " + row * k + " to " + (row * k + k - 1)));
            for (int s = 0; s < k; s++) {
                int e = r.ids()[row * k + s];
                cells.add(WalkCell.count(e, "pair " + (row * k + s) + " goes to expert " + e
                        + (users[e] > 1 ? ", which " + users[e] + " pairs of this step share" : "")));
            }
            lines.add(new WalkLine(cells));
        }
        int shared = 0;
        for (int u : users) {
            shared += u > 1 ? 1 : 0;
        }
        lines.add(WalkLine.of(WalkCell.label("experts used by more than one pair:", "on a CPU device these pairs are"
                        + " grouped so the expert's rows are read once"),
                WalkCell.count(shared, "experts shared between sequences in this step")));
        return new WalkPhase("pairs", "(Sequence, expert) pairs",
                r.tokens() + " sequences decode one token each: " + r.tokens() + " × " + k + " = " + r.tokens() * k
                        + " pairs run in one launch of pair-indexed GEMVs.", lines);
    }

    private static int rowInGroup(DispatchPlan plan, int expert, int pair) {
        for (int i = plan.offsets()[expert]; i < plan.offsets()[expert + 1]; i++) {
            if (plan.sortedPairs()[i] == pair) {
                return i - plan.offsets()[expert];
            }
        }
        return -1;
    }

    private static int[] busiest(int[] counts, int n) {
        Integer[] idx = new Integer[counts.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> counts[a] != counts[b] ? Integer.compare(counts[b], counts[a])
                : Integer.compare(a, b));
        int[] out = new int[Math.min(n, idx.length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = idx[i];
        }
        return out;
    }
}
