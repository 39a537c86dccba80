package org.moescope.engine.model;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.DeviceInterval;

/** A backend that forwards every operation to another; tests override single operations. */
public class ForwardingBackend implements Backend {

    protected final Backend inner;

    public ForwardingBackend(Backend inner) {
        this.inner = inner;
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public DeviceInfo device() {
        return inner.device();
    }

    @Override
    public DeviceBuffer allocate(String name, DType dtype, long length) {
        return inner.allocate(name, dtype, length);
    }

    @Override
    public void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        inner.upload(dst, dstOffset, src);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count) {
        inner.write(dst, dstOffset, src, srcOffset, count);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count) {
        inner.write(dst, dstOffset, src, srcOffset, count);
    }

    @Override
    public float[] readFloats(DeviceBuffer src, long offset, int count) {
        return inner.readFloats(src, offset, count);
    }

    @Override
    public java.nio.ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        return inner.readBytes(src, offset, count);
    }

    @Override
    public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        inner.quantizeQ8(x, xq, rows, n);
    }

    @Override
    public int[] readInts(DeviceBuffer src, long offset, int count) {
        return inner.readInts(src, offset, count);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        inner.copy(src, srcOffset, dst, dstOffset, count);
    }

    @Override
    public void fillRandom(DeviceBuffer dst, long seed, float scale) {
        inner.fillRandom(dst, seed, scale);
    }

    @Override
    public void fill(DeviceBuffer dst, float value) {
        inner.fill(dst, value);
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
        inner.embedding(table, ids, out, tokens, hidden, vocab);
    }

    @Override
    public void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps) {
        inner.rmsNorm(x, w, out, rows, n, eps);
    }

    @Override
    public void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out) {
        inner.matmul(x, w, y, tokens, in, out);
    }

    @Override
    public void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        inner.rope(x, positions, tokens, heads, headDim, theta);
    }

    @Override
    public void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache, DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim, int capacity) {
        inner.attention(q, k, v, kCache, vCache, out, tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void attentionAtRow(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache, DeviceBuffer out, int row, int startPos, int heads, int kvHeads, int headDim, int capacity) {
        inner.attentionAtRow(q, k, v, kCache, vCache, out, row, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        inner.add(a, b, out, n);
    }

    @Override
    public void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        inner.siluMul(gate, up, out, n);
    }

    @Override
    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k, boolean normTopk) {
        inner.routeTopk(logits, ids, weights, tokens, experts, k, normTopk);
    }

    @Override
    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k, int tileRows) {
        inner.buildDispatch(selectedIds, counts, offsets, sortedPairs, workList, tokens, experts, k, tileRows);
    }

    @Override
    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts, DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        return inner.groupedGemm(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList, tokens, k, experts, inDim, outDim, maxPerExpert);
    }

    @Override
    public int groupedGemmTileRows() {
        return inner.groupedGemmTileRows();
    }

    @Override
    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int inDim, int outDim) {
        inner.expertGemv(x, xRowDivisor, w, ids, out, pairs, experts, inDim, outDim);
    }

    @Override
    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp, DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        inner.expertGateUpSilu(x, xRowDivisor, wGate, wUp, ids, out, pairs, experts, hidden, inter);
    }

    @Override
    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        inner.weightedSum(down, weights, out, tokens, k, hidden);
    }

    @Override
    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual, DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden, float eps) {
        inner.weightedSumResidual(down, weights, residual, nextNorm, normOut, tokens, k, hidden, eps);
    }

    @Override
    public void close() {
        inner.close();
    }
}
