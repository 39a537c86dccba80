package org.moescope.app.control.flame;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.moescope.engine.profile.StageSpan;

/**
 * Pure geometry of the flame chart: the leaves are {@link StageSpan}s sorted by start; parent boxes (step, layer,
 * block) are contiguous runs of leaves sharing the parent's key, so layer -1 ("model") appears as one box before
 * layer 0 (embed) and one after the last layer (final_norm, lm_head). Times are nanoseconds relative to
 * {@link #originNanos()}. Each row is stored as parallel arrays sorted by start, so culling to a visible range is a
 * binary search plus a scan, and sub-pixel boxes can be merged while visiting. Immutable; safe to build off the FX
 * thread.
 */
public final class FlameLayout {

    public static final int DEPTH_STEP = 0;
    public static final int DEPTH_LAYER = 1;
    public static final int DEPTH_BLOCK = 2;
    public static final int DEPTH_STAGE = 3;
    public static final int DEPTHS = 4;

    /** Idle time kept between steps when gaps are hidden, as a fraction of the step before. */
    public static final double STEP_GAP_FRACTION = 0.02;

    /** Receives visible boxes; {@code merged} is true when several sub-pixel boxes were drawn as one. */
    @FunctionalInterface
    public interface BoxVisitor {
        void box(int index, long startNanos, long endNanos, boolean merged);
    }

    /** One row: boxes sorted by start. {@code maxEnd[i]} = max(end[0..i]), non-decreasing, for culling. */
    private static final class Row {
        final long[] start;
        final long[] end;
        final long[] maxEnd;
        final int[] firstLeaf;
        final int[] endLeaf;

        Row(int n) {
            start = new long[n];
            end = new long[n];
            maxEnd = new long[n];
            firstLeaf = new int[n];
            endLeaf = new int[n];
        }
    }

    private static final FlameLayout EMPTY = new FlameLayout(List.of(), false);

    private final List<StageSpan> leaves;
    private final long originNanos;
    private final long durationNanos;
    /** {@code [leaves]} nanoseconds removed before each leaf when idle gaps between steps are squeezed (else 0). */
    private final long[] shift;
    private final boolean gapsHidden;
    private final Row[] rows = new Row[DEPTHS];

    private FlameLayout(List<StageSpan> sorted, boolean hideGaps) {
        this.leaves = sorted;
        this.gapsHidden = hideGaps;
        this.shift = hideGaps ? gapShifts(sorted) : new long[sorted.size()];
        long origin = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < sorted.size(); i++) {
            origin = Math.min(origin, sorted.get(i).startNanos());
            last = Math.max(last, sorted.get(i).endNanos() - shift[i]);
        }
        this.originNanos = sorted.isEmpty() ? 0 : origin;
        this.durationNanos = sorted.isEmpty() ? 0 : last - origin;
        for (int d = 0; d < DEPTHS; d++) {
            rows[d] = buildRow(d);
        }
    }

    /**
     * Shifts that squeeze the idle time between consecutive steps (host work, a user clicking Step) down to
     * {@link #STEP_GAP_FRACTION} of the previous step's span, so the chart shows device work rather than waiting.
     */
    private static long[] gapShifts(List<StageSpan> sorted) {
        long[] shift = new long[sorted.size()];
        long removed = 0;
        long stepStart = Long.MIN_VALUE;
        long stepEnd = Long.MIN_VALUE;
        for (int i = 0; i < sorted.size(); i++) {
            StageSpan s = sorted.get(i);
            boolean newStep = i > 0 && s.step() != sorted.get(i - 1).step();
            if (newStep) {
                long gap = s.startNanos() - stepEnd;
                long kept = (long) Math.ceil((stepEnd - stepStart) * STEP_GAP_FRACTION);
                if (gap > kept) {
                    removed += gap - kept;
                }
            }
            if (i == 0 || newStep) {
                stepStart = s.startNanos();
                stepEnd = s.endNanos();
            }
            stepEnd = Math.max(stepEnd, s.endNanos());
            shift[i] = removed;
        }
        return shift;
    }

    /** Lays out {@code spans} on their device clock (any order; spans with end before start are rejected). */
    public static FlameLayout of(List<StageSpan> spans) {
        return of(spans, false);
    }

    /**
     * Lays out {@code spans}; with {@code hideGaps} the idle time between steps is squeezed (see
     * {@link #STEP_GAP_FRACTION}) and times become "device time with gaps removed".
     */
    public static FlameLayout of(List<StageSpan> spans, boolean hideGaps) {
        Objects.requireNonNull(spans, "spans");
        if (spans.isEmpty()) {
            return EMPTY;
        }
        List<StageSpan> sorted = new ArrayList<>(spans);
        for (StageSpan s : sorted) {
            if (s.endNanos() < s.startNanos()) {
                throw new IllegalArgumentException("spans: " + s.stage() + " of step " + s.step() + " ends before it starts");
            }
        }
        sorted.sort(Comparator.comparingLong(StageSpan::startNanos).thenComparingInt(StageSpan::step));
        return new FlameLayout(List.copyOf(sorted), hideGaps);
    }

    public static FlameLayout empty() {
        return EMPTY;
    }

    private Row buildRow(int depth) {
        int n = leaves.size();
        int[] firsts = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (i == 0 || depth == DEPTH_STAGE || !sameParent(leaves.get(i - 1), leaves.get(i), depth)) {
                firsts[count++] = i;
            }
        }
        Row row = new Row(count);
        long maxEnd = Long.MIN_VALUE;
        for (int b = 0; b < count; b++) {
            int first = firsts[b];
            int endLeaf = b + 1 < count ? firsts[b + 1] : n;
            long start = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            for (int i = first; i < endLeaf; i++) {
                start = Math.min(start, leaves.get(i).startNanos() - shift[i]);
                end = Math.max(end, leaves.get(i).endNanos() - shift[i]);
            }
            row.start[b] = start - originNanos;
            row.end[b] = end - originNanos;
            maxEnd = Math.max(maxEnd, row.end[b]);
            row.maxEnd[b] = maxEnd;
            row.firstLeaf[b] = first;
            row.endLeaf[b] = endLeaf;
        }
        return row;
    }

    private static boolean sameParent(StageSpan a, StageSpan b, int depth) {
        boolean same = a.step() == b.step();
        if (depth >= DEPTH_LAYER) {
            same &= a.layer() == b.layer();
        }
        if (depth >= DEPTH_BLOCK) {
            same &= a.block().equals(b.block());
        }
        return same;
    }

    /** Leaves sorted by start. */
    public List<StageSpan> spans() {
        return leaves;
    }

    /** Device-clock time of t = 0. */
    public long originNanos() {
        return originNanos;
    }

    /** From the first start to the last end (gaps squeezed when {@link #gapsHidden()}). */
    public long durationNanos() {
        return durationNanos;
    }

    /** Whether idle time between steps was squeezed out of the time axis. */
    public boolean gapsHidden() {
        return gapsHidden;
    }

    public boolean isEmpty() {
        return leaves.isEmpty();
    }

    public int count(int depth) {
        return row(depth).start.length;
    }

    public long start(int depth, int index) {
        return row(depth).start[index];
    }

    public long end(int depth, int index) {
        return row(depth).end[index];
    }

    /** The leaves under a box, in start order. */
    public List<StageSpan> spansOf(int depth, int index) {
        Row r = row(depth);
        return leaves.subList(r.firstLeaf[index], r.endLeaf[index]);
    }

    /** A representative leaf of the box (its first), for step/layer/block/options of the tooltip. */
    public StageSpan firstSpan(int depth, int index) {
        return leaves.get(row(depth).firstLeaf[index]);
    }

    /** Text drawn in the box: "step 3 decode", "layer 12", "moe", "route". */
    public String label(int depth, int index) {
        StageSpan s = firstSpan(depth, index);
        return switch (depth) {
            case DEPTH_STEP -> "step " + s.step() + " " + s.phase().label();
            case DEPTH_LAYER -> s.layer() < 0 ? "model" : "layer " + s.layer();
            case DEPTH_BLOCK -> s.block();
            default -> s.stage();
        };
    }

    /** Colour key of the box: the stage name for leaves, the block name for blocks, "step"/"layer" above. */
    public String colorKey(int depth, int index) {
        StageSpan s = firstSpan(depth, index);
        return switch (depth) {
            case DEPTH_STEP -> "step";
            case DEPTH_LAYER -> s.layer() < 0 ? "model" : "layer";
            case DEPTH_BLOCK -> s.block();
            default -> s.stage();
        };
    }

    /** Index of the first box of {@code depth} whose end is after {@code fromNanos} (count when none). */
    public int firstEndingAfter(int depth, double fromNanos) {
        long[] maxEnd = row(depth).maxEnd;
        int lo = 0;
        int hi = maxEnd.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (maxEnd[mid] > fromNanos) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Visits the boxes of {@code depth} that intersect [fromNanos, toNanos]. Boxes narrower than {@code minWidthNanos}
     * that follow each other within that distance are merged into one visit (index = the longest of them), so a
     * zoomed-out view of 50k spans draws about one box per pixel.
     */
    public void visit(int depth, double fromNanos, double toNanos, double minWidthNanos, BoxVisitor visitor) {
        Row r = row(depth);
        int n = r.start.length;
        int i = firstEndingAfter(depth, fromNanos);
        while (i < n && r.start[i] <= toNanos) {
            if (r.end[i] < fromNanos) {
                i++;
                continue;
            }
            long runStart = r.start[i];
            long runEnd = r.end[i];
            int best = i;
            int members = 1;
            if (runEnd - runStart < minWidthNanos) {
                int j = i + 1;
                while (j < n && r.start[j] <= toNanos && r.end[j] - r.start[j] < minWidthNanos
                        && r.start[j] - runEnd < minWidthNanos && runEnd - runStart < minWidthNanos) {
                    if (r.end[j] - r.start[j] > r.end[best] - r.start[best]) {
                        best = j;
                    }
                    runEnd = Math.max(runEnd, r.end[j]);
                    members++;
                    j++;
                }
            }
            visitor.box(best, runStart, runEnd, members > 1);
            i += members;
        }
    }

    /**
     * The box of {@code depth} under time {@code tNanos}, or the nearest one within {@code toleranceNanos} (so thin
     * boxes can be hovered); -1 when none.
     */
    public int indexAt(int depth, double tNanos, double toleranceNanos) {
        Row r = row(depth);
        int n = r.start.length;
        if (n == 0) {
            return -1;
        }
        // last box starting at or before t
        int lo = 0;
        int hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (r.start[mid] <= tNanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        int best = -1;
        double bestDistance = Double.MAX_VALUE;
        for (int k = Math.max(0, lo - 2); k < Math.min(n, lo + 2); k++) {
            double distance = tNanos < r.start[k] ? r.start[k] - tNanos : tNanos > r.end[k] ? tNanos - r.end[k] : 0;
            boolean closer = best < 0 || distance < bestDistance
                    || distance == bestDistance && r.end[k] - r.start[k] < r.end[best] - r.start[best];
            if (distance <= toleranceNanos && closer) {
                best = k;
                bestDistance = distance;
            }
        }
        return best;
    }

    /** Leaves that overlap [fromNanos, toNanos] (relative times), in start order. */
    public List<StageSpan> spansIn(double fromNanos, double toNanos) {
        Row r = row(DEPTH_STAGE);
        List<StageSpan> out = new ArrayList<>();
        for (int i = firstEndingAfter(DEPTH_STAGE, fromNanos); i < r.start.length && r.start[i] < toNanos; i++) {
            if (r.end[i] > fromNanos) {
                out.add(leaves.get(r.firstLeaf[i]));
            }
        }
        return out;
    }

    private Row row(int depth) {
        if (depth < 0 || depth >= DEPTHS) {
            throw new IllegalArgumentException("depth must be in [0, " + DEPTHS + "), got " + depth);
        }
        return rows[depth];
    }

    @Override
    public String toString() {
        return "FlameLayout" + Arrays.toString(new int[] {count(0), count(1), count(2), count(3)});
    }
}
