package org.moescope.engine.model;

import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.backend.DeviceMemoryException;

/**
 * A backend that forwards to another and tracks which buffers are alive, so tests can check that a failure leaves
 * nothing allocated. {@link #limitBytes} makes allocations beyond it fail like a full device.
 */
public final class TrackingBackend implements Backend {

    private final Backend inner;
    private final Map<DeviceBuffer, DeviceBuffer> live = new IdentityHashMap<>(); // tracked -> inner
    private long limitBytes = Long.MAX_VALUE;
    private DeviceInfo device;
    private boolean closed;

    public TrackingBackend(Backend inner) {
        this.inner = inner;
    }

    public TrackingBackend limitBytes(long bytes) {
        this.limitBytes = bytes;
        return this;
    }

    /** Reports {@code info} as this backend's device (the memory checks read it) instead of the inner one's. */
    public TrackingBackend device(DeviceInfo info) {
        this.device = info;
        return this;
    }

    /** Buffers allocated and not yet closed. */
    public int liveBuffers() {
        return live.size();
    }

    public long liveBytes() {
        long n = 0;
        for (DeviceBuffer b : live.keySet()) {
            n += b.bytes();
        }
        return n;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public DeviceBuffer allocate(String name, DType dtype, long length) {
        long bytes = dtype.bytesOf(length);
        if (liveBytes() + bytes > limitBytes) {
            throw new DeviceMemoryException(name, bytes, "test limit of " + limitBytes + " bytes");
        }
        DeviceBuffer b = inner.allocate(name, dtype, length);
        DeviceBuffer tracked = new Tracked(b);
        live.put(tracked, b);
        return tracked;
    }

    private final class Tracked implements DeviceBuffer {
        private final DeviceBuffer b;

        Tracked(DeviceBuffer b) {
            this.b = b;
        }

        @Override
        public String name() {
            return b.name();
        }

        @Override
        public DType dtype() {
            return b.dtype();
        }

        @Override
        public long length() {
            return b.length();
        }

        @Override
        public void close() {
            live.remove(this);
            b.close();
        }
    }

    private static DeviceBuffer u(DeviceBuffer b) {
        return b instanceof Tracked t ? t.b : b;
    }

    @Override
    public void close() {
        closed = true;
        inner.close();
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public DeviceInfo device() {
        return device != null ? device : inner.device();
    }

    @Override
    public void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        inner.upload(u(dst), dstOffset, src);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count) {
        inner.write(u(dst), dstOffset, src, srcOffset, count);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count) {
        inner.write(u(dst), dstOffset, src, srcOffset, count);
    }

    @Override
    public float[] readFloats(DeviceBuffer src, long offset, int count) {
        return inner.readFloats(u(src), offset, count);
    }

    @Override
    public java.nio.ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        return inner.readBytes(u(src), offset, count);
    }

    @Override
    public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        inner.quantizeQ8(u(x), u(xq), rows, n);
    }

    @Override
    public int[] readInts(DeviceBuffer src, long offset, int count) {
        return inner.readInts(u(src), offset, count);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        inner.copy(u(src), srcOffset, u(dst), dstOffset, count);
    }

    @Override
    public void fillRandom(DeviceBuffer dst, long seed, float scale) {
        inner.fillRandom(u(dst), seed, scale);
    }

    @Override
    public void fill(DeviceBuffer dst, float value) {
        inner.fill(u(dst), value);
    }

    @Override
    public void finish() {
        inner.finish();
    }

    @Override
    public void beginTiming() {
        inner.beginTiming();
    }

    @Override
    public DeviceInterval endTiming() {
        return inner.endTiming();
    }

    @Override
    public void embedding(DeviceBuffer table, DeviceBuffer ids, DeviceBuffer out, int tokens, int hidden, int vocab) {
        inner.embedding(u(table), u(ids), u(out), tokens, hidden, vocab);
    }

    @Override
    public void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps) {
        inner.rmsNorm(u(x), u(w), u(out), rows, n, eps);
    }

    @Override
    public void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out) {
        inner.matmul(u(x), u(w), u(y), tokens, in, out);
    }

    @Override
    public void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        inner.rope(u(x), u(positions), tokens, heads, headDim, theta);
    }

    @Override
    public void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache, DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim, int capacity) {
        inner.attention(u(q), u(k), u(v), u(kCache), u(vCache), u(out), tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void attentionAtRow(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache, DeviceBuffer out, int row, int startPos, int heads, int kvHeads, int headDim, int capacity) {
        inner.attentionAtRow(u(q), u(k), u(v), u(kCache), u(vCache), u(out), row, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        inner.add(u(a), u(b), u(out), n);
    }

    @Override
    public void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        inner.siluMul(u(gate), u(up), u(out), n);
    }

    @Override
    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k, boolean normTopk) {
        inner.routeTopk(u(logits), u(ids), u(weights), tokens, experts, k, normTopk);
    }

    @Override
    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k, int tileRows) {
        inner.buildDispatch(u(selectedIds), u(counts), u(offsets), u(sortedPairs), u(workList), tokens, experts, k, tileRows);
    }

    @Override
    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts, DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        return inner.groupedGemm(u(x), xRowDivisor, u(w), u(out), u(counts), u(offsets), u(sortedPairs), u(workList), tokens, k, experts, inDim, outDim, maxPerExpert);
    }

    @Override
    public int groupedGemmTileRows() {
        return inner.groupedGemmTileRows();
    }

    @Override
    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int inDim, int outDim) {
        inner.expertGemv(u(x), xRowDivisor, u(w), u(ids), u(out), pairs, experts, inDim, outDim);
    }

    @Override
    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp, DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        inner.expertGateUpSilu(u(x), xRowDivisor, u(wGate), u(wUp), u(ids), u(out), pairs, experts, hidden, inter);
    }

    @Override
    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        inner.weightedSum(u(down), u(weights), u(out), tokens, k, hidden);
    }

    @Override
    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual, DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden, float eps) {
        inner.weightedSumResidual(u(down), u(weights), u(residual), u(nextNorm), u(normOut), tokens, k, hidden, eps);
    }
}
