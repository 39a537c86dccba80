package org.moescope.engine.backend.java;

import static org.moescope.engine.backend.java.BufferChecks.anyFloat;
import static org.moescope.engine.backend.java.BufferChecks.distinct;
import static org.moescope.engine.backend.java.BufferChecks.f32;
import static org.moescope.engine.backend.java.BufferChecks.i32;
import static org.moescope.engine.backend.java.BufferChecks.nonNegative;
import static org.moescope.engine.backend.java.BufferChecks.positive;
import static org.moescope.engine.backend.java.BufferChecks.weight;

import java.nio.ByteBuffer;
import java.util.List;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.backend.DeviceMemoryException;

/**
 * The plain reference backend: every operation as obvious loops on heap arrays, run synchronously on the calling
 * thread. It is the oracle of the OpenCL parity tests and the device used when OpenCL is missing. Dot products
 * accumulate in double so that it is at least as accurate as any kernel it checks.
 *
 * <p>Quantized weights stay in their ggml blocks and are decoded as read (exactly as ggml dequantizes them), so an
 * op on a quantized weight gives exactly what it gives on an F32 buffer of the decoded values. With Q8_0 activations
 * the expert ops take ggml-style integer dot products per block instead ({@code quant.Q8Dot}).
 */
public final class JavaBackend implements Backend {
    /** Largest Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final DeviceInfo info;
    private long windowStart = -1;
    private int windowOps;
    private boolean closed;

    public JavaBackend() {
        this(0);
    }

    /** @param deviceIndex the index this device has in a device list */
    public JavaBackend(int deviceIndex) {
        long heap = Runtime.getRuntime().maxMemory();
        this.info = new DeviceInfo(deviceIndex, "MoEScope", "Java reference", "MoEScope",
                "Java " + Runtime.version().feature(), "REFERENCE", 1, heap,
                Math.min(heap, MAX_ELEMENTS * Float.BYTES), 0, 1, List.of());
    }

    @Override
    public String kind() {
        return "java";
    }

    @Override
    public DeviceInfo device() {
        return info;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public DeviceBuffer allocate(String name, DType dtype, long length) {
        if (closed) {
            throw new IllegalStateException("backend is closed");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must not be null");
        }
        positive("length", length);
        long bytes = dtype.bytesOf(length);
        if (length > MAX_ELEMENTS) {
            throw new DeviceMemoryException(name, bytes, "more than " + MAX_ELEMENTS
                    + " elements do not fit a Java array");
        }
        if (dtype.isQuantized() && bytes > MAX_ELEMENTS) {
            throw new DeviceMemoryException(name, bytes, "more than " + MAX_ELEMENTS
                    + " bytes of blocks do not fit a Java buffer");
        }
        try {
            return new JavaBuffer(name, dtype, (int) length);
        } catch (OutOfMemoryError e) {
            throw new DeviceMemoryException(name, bytes, "Java heap exhausted (max " + info.globalMemBytes()
                    + " bytes; raise -Xmx)");
        }
    }

    @Override
    public void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        JavaMemory.upload(dst, dstOffset, src);
        op();
    }

    /** The Java device reads host memory: a caller's bytes (a mapped model file) serve as the buffer without a copy. */
    @Override
    public boolean sharesHostMemory() {
        return true;
    }

    /** Reads {@code bytes} in place for every weight type; the buffer refuses writes. */
    @Override
    public DeviceBuffer wrapReadOnly(String name, DType dtype, long length, ByteBuffer bytes) {
        return JavaMemory.wrap(name, dtype, length, bytes);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count) {
        checkRange("src", src == null ? -1 : src.length, srcOffset, count);
        JavaBuffer d = BufferChecks.writable("dst", anyFloat("dst", dst, dstOffset, count, "count"));
        for (int i = 0; i < count; i++) {
            d.set(dstOffset + i, src[srcOffset + i]);
        }
        op();
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count) {
        checkRange("src", src == null ? -1 : src.length, srcOffset, count);
        JavaBuffer d = BufferChecks.typed("dst", dst, DType.I32, dstOffset, count, "count");
        for (int i = 0; i < count; i++) {
            d.setInt(dstOffset + i, src[srcOffset + i]);
        }
        op();
    }

    @Override
    public float[] readFloats(DeviceBuffer src, long offset, int count) {
        return JavaMemory.readFloats(src, offset, count);
    }

    @Override
    public ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        return JavaMemory.readBytes(src, offset, count);
    }

    @Override
    public int[] readInts(DeviceBuffer src, long offset, int count) {
        nonNegative("count", count);
        JavaBuffer s = BufferChecks.typed("src", src, DType.I32, offset, count, "count");
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = s.getInt(offset + i);
        }
        return out;
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        JavaMemory.copy(src, srcOffset, dst, dstOffset, count);
        op();
    }

    @Override
    public void fillRandom(DeviceBuffer dst, long seed, float scale) {
        JavaMemory.fillRandom(dst, seed, scale);
        op();
    }

    @Override
    public void fill(DeviceBuffer dst, float value) {
        JavaMemory.fill(dst, value);
        op();
    }

    @Override
    public void finish() {
        // every operation already ran on the calling thread
    }

    // ---------------------------------------------------------------- timing

    @Override
    public void beginTiming() {
        if (windowStart >= 0) {
            throw new IllegalStateException("timing windows do not nest: endTiming() was not called");
        }
        windowOps = 0;
        windowStart = System.nanoTime();
    }

    @Override
    public DeviceInterval endTiming() {
        long end = System.nanoTime();
        if (windowStart < 0) {
            throw new IllegalStateException("endTiming() without beginTiming()");
        }
        long start = windowStart;
        windowStart = -1;
        return windowOps == 0 ? DeviceInterval.EMPTY : DeviceInterval.of(start, end);
    }

    /** Counts an operation for the open timing window. */
    private void op() {
        windowOps++;
    }

    // ---------------------------------------------------------------- dense transformer ops

    @Override
    public void embedding(DeviceBuffer table, DeviceBuffer ids, DeviceBuffer out, int tokens, int hidden, int vocab) {
        positive("tokens", tokens);
        positive("hidden", hidden);
        positive("vocab", vocab);
        JavaBuffer tb = weight("table", table, (long) vocab * hidden, "vocab * hidden", hidden, "hidden");
        JavaBuffer ib = i32("ids", ids, tokens, "tokens");
        JavaBuffer ob = f32("out", out, (long) tokens * hidden, "tokens * hidden");
        distinct("out", out, "table", table);
        for (int t = 0; t < tokens; t++) {
            int id = ib.getInt(t);
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("ids[" + t + "] = " + id + " is not a token in [0, " + vocab + ")");
            }
            for (int i = 0; i < hidden; i++) {
                ob.set((long) t * hidden + i, tb.get((long) id * hidden + i));
            }
        }
        op();
    }

    @Override
    public void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps) {
        positive("rows", rows);
        positive("n", n);
        JavaBuffer xb = f32("x", x, (long) rows * n, "rows * n");
        JavaBuffer wb = anyFloat("w", w, n, "n");
        JavaBuffer ob = f32("out", out, (long) rows * n, "rows * n");
        for (int r = 0; r < rows; r++) {
            rmsNormRow(xb, (long) r * n, wb, ob, (long) r * n, n, eps);
        }
        op();
    }

    /** out[outAt..+n] = x[xAt..+n] / sqrt(mean(x^2) + eps) * w; out may be x. */
    static void rmsNormRow(JavaBuffer x, long xAt, JavaBuffer w, JavaBuffer out, long outAt, int n, float eps) {
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double v = x.get(xAt + i);
            squares += v * v;
        }
        double inv = 1.0 / Math.sqrt(squares / n + eps);
        for (int i = 0; i < n; i++) {
            out.set(outAt + i, (float) (x.get(xAt + i) * inv * w.get(i)));
        }
    }

    @Override
    public void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out) {
        positive("tokens", tokens);
        positive("in", in);
        positive("out", out);
        JavaBuffer xb = f32("x", x, (long) tokens * in, "tokens * in");
        JavaBuffer wb = weight("w", w, (long) out * in, "out * in", in, "in");
        JavaBuffer yb = f32("y", y, (long) tokens * out, "tokens * out");
        distinct("y", y, "x", x);
        for (int t = 0; t < tokens; t++) {
            for (int o = 0; o < out; o++) {
                yb.set((long) t * out + o, JavaMoeOps.dot(wb, (long) o * in, xb, (long) t * in, in));
            }
        }
        op();
    }

    @Override
    public void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        positive("tokens", tokens);
        positive("heads", heads);
        positive("headDim", headDim);
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even, got " + headDim);
        }
        if (!(theta > 0) || Float.isInfinite(theta)) {
            throw new IllegalArgumentException("theta must be a finite number > 0, got " + theta);
        }
        JavaBuffer xb = f32("x", x, (long) tokens * heads * headDim, "tokens * heads * headDim");
        JavaBuffer pb = i32("positions", positions, tokens, "tokens");
        int half = headDim / 2;
        for (int t = 0; t < tokens; t++) {
            int pos = pb.getInt(t);
            for (int i = 0; i < half; i++) {
                // as Hugging Face: inverse frequency and angle in F32, then cos/sin
                float invFreq = (float) (1.0 / Math.pow(theta, (2.0 * i) / headDim));
                float angle = pos * invFreq;
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                for (int h = 0; h < heads; h++) {
                    long base = ((long) t * heads + h) * headDim;
                    float a = xb.get(base + i);
                    float b = xb.get(base + i + half);
                    xb.set(base + i, a * cos - b * sin);
                    xb.set(base + i + half, b * cos + a * sin);
                }
            }
        }
        op();
    }

    @Override
    public void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                          DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim,
                          int capacity) {
        attentionRows(q, k, v, kCache, vCache, out, 0, tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void attentionAtRow(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache,
                               DeviceBuffer vCache, DeviceBuffer out, int row, int startPos, int heads, int kvHeads,
                               int headDim, int capacity) {
        nonNegative("row", row);
        attentionRows(q, k, v, kCache, vCache, out, row, 1, startPos, heads, kvHeads, headDim, capacity);
    }

    /** Attention of rows [row0, row0 + tokens) of q, k, v and out, at positions startPos.. of the caches. */
    private void attentionRows(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache,
                               DeviceBuffer vCache, DeviceBuffer out, int row0, int tokens, int startPos, int heads,
                               int kvHeads, int headDim, int capacity) {
        positive("tokens", tokens);
        nonNegative("startPos", startPos);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("capacity", capacity);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("kvHeads must divide heads=" + heads + ", got " + kvHeads);
        }
        if ((long) startPos + tokens > capacity) {
            throw new IllegalArgumentException("startPos + tokens = " + ((long) startPos + tokens)
                    + " exceeds the cache capacity " + capacity);
        }
        int qWidth = heads * headDim;
        int kvWidth = kvHeads * headDim;
        long rows = (long) row0 + tokens;
        JavaBuffer qb = f32("q", q, rows * qWidth, "rows * heads * headDim");
        JavaBuffer kb = f32("k", k, rows * kvWidth, "rows * kvHeads * headDim");
        JavaBuffer vb = f32("v", v, rows * kvWidth, "rows * kvHeads * headDim");
        JavaBuffer kc = anyFloat("kCache", kCache, (long) capacity * kvWidth, "capacity * kvHeads * headDim");
        JavaBuffer vc = anyFloat("vCache", vCache, (long) capacity * kvWidth, "capacity * kvHeads * headDim");
        JavaBuffer ob = f32("out", out, rows * qWidth, "rows * heads * headDim");
        distinct("kCache", kCache, "vCache", vCache);
        for (DeviceBuffer in : new DeviceBuffer[] {q, k, v, kCache, vCache}) {
            distinct("out", out, "an input (q, k, v or a cache)", in);
        }
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < kvWidth; i++) {
                kc.set((long) (startPos + t) * kvWidth + i, kb.get((long) (row0 + t) * kvWidth + i));
                vc.set((long) (startPos + t) * kvWidth + i, vb.get((long) (row0 + t) * kvWidth + i));
            }
        }
        double scale = 1.0 / Math.sqrt(headDim);
        int group = heads / kvHeads;
        for (int t = 0; t < tokens; t++) {
            int last = startPos + t;
            double[] scores = new double[last + 1];
            for (int h = 0; h < heads; h++) {
                long qAt = (long) (row0 + t) * qWidth + (long) h * headDim;
                long kvAt = (long) (h / group) * headDim;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= last; j++) {
                    scores[j] = JavaMoeOps.dot(qb, qAt, kc, (long) j * kvWidth + kvAt, headDim) * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j <= last; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < headDim; d++) {
                    double acc = 0;
                    for (int j = 0; j <= last; j++) {
                        acc += scores[j] * vc.get((long) j * kvWidth + kvAt + d);
                    }
                    ob.set(qAt + d, (float) (acc / sum));
                }
            }
        }
        op();
    }

    @Override
    public void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        positive("n", n);
        JavaBuffer ab = f32("a", a, n, "n");
        JavaBuffer bb = f32("b", b, n, "n");
        JavaBuffer ob = f32("out", out, n, "n");
        for (int i = 0; i < n; i++) {
            ob.set(i, ab.get(i) + bb.get(i));
        }
        op();
    }

    @Override
    public void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        positive("n", n);
        JavaBuffer g = f32("gate", gate, n, "n");
        JavaBuffer u = f32("up", up, n, "n");
        JavaBuffer o = f32("out", out, n, "n");
        for (int i = 0; i < n; i++) {
            o.set(i, silu(g.get(i)) * u.get(i));
        }
        op();
    }

    /** silu(x) = x / (1 + exp(-x)). */
    static float silu(float x) {
        return (float) (x / (1.0 + Math.exp(-x)));
    }

    // ---------------------------------------------------------------- MoE ops

    @Override
    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k,
                          boolean normTopk) {
        JavaMoeOps.routeTopk(logits, ids, weights, tokens, experts, k, normTopk);
        op();
    }

    @Override
    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets,
                              DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k,
                              int tileRows) {
        JavaMoeOps.buildDispatch(selectedIds, counts, offsets, sortedPairs, workList, tokens, experts, k, tileRows);
        op();
    }

    @Override
    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                            DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                            int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        long tiles = JavaMoeOps.groupedGemm(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList,
                tokens, k, experts, inDim, outDim, maxPerExpert);
        op();
        return tiles;
    }

    @Override
    public int groupedGemmTileRows() {
        return JavaMoeOps.TILE_ROWS;
    }

    @Override
    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                           int pairs, int experts, int inDim, int outDim) {
        JavaMoeOps.expertGemv(x, xRowDivisor, w, ids, out, pairs, experts, inDim, outDim);
        op();
    }

    @Override
    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                 DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        JavaMoeOps.expertGateUpSilu(x, xRowDivisor, wGate, wUp, ids, out, pairs, experts, hidden, inter);
        op();
    }

    @Override
    public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        JavaMoeOps.quantizeQ8(x, xq, rows, n);
        op();
    }

    @Override
    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        JavaMoeOps.weightedSum(down, weights, out, tokens, k, hidden);
        op();
    }

    @Override
    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual,
                                    DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden,
                                    float eps) {
        JavaMoeOps.weightedSumResidual(down, weights, residual, nextNorm, normOut, tokens, k, hidden, eps);
        op();
    }

    @Override
    public void close() {
        closed = true;
    }

    private static void checkRange(String param, int arrayLength, int offset, int count) {
        if (arrayLength < 0) {
            throw new IllegalArgumentException(param + " must not be null");
        }
        nonNegative("count", count);
        nonNegative("srcOffset", offset);
        if ((long) offset + count > arrayLength) {
            throw new IllegalArgumentException(param + ": array has " + arrayLength + " elements, needs "
                    + ((long) offset + count) + " (srcOffset + count)");
        }
    }
}
