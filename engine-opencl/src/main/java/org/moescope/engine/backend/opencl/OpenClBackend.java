package org.moescope.engine.backend.opencl;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInfo;
import org.moescope.engine.backend.DeviceInterval;

/**
 * {@link Backend} on one OpenCL device. Owns the runtime (context, in-order profiling queue), the program cache and
 * the timing window, and hands each op to its kernel family: {@link ClMemory}, {@link FillKernels},
 * {@link DenseKernels}, {@link MatmulKernels}, {@link AttentionKernels} and {@link OpenClMoeKernels}.
 * Used from one thread.
 */
public final class OpenClBackend implements Backend {
    private final ClRuntime runtime;
    private final ProgramCache programs;
    private final EventTimer timer = new EventTimer();
    private final KernelLauncher launcher;
    private final ClMemory memory;
    private final FillKernels fills;
    private final DenseKernels dense;
    private final MatmulKernels matmuls;
    private final AttentionKernels attention;
    private final OpenClMoeKernels moeKernels;

    public OpenClBackend(ClDevice device) {
        this.runtime = new ClRuntime(device);
        DeviceTuning tuning = DeviceTuning.forDevice(device);
        this.programs = new ProgramCache(runtime);
        this.launcher = new KernelLauncher(runtime, programs, tuning, timer);
        this.memory = new ClMemory(launcher);
        this.fills = new FillKernels(launcher, memory);
        this.dense = new DenseKernels(launcher, memory);
        this.matmuls = new MatmulKernels(launcher);
        this.attention = new AttentionKernels(launcher, memory);
        this.moeKernels = new OpenClMoeKernels(launcher);
    }

    /** The launcher (runtime, programs, tuning, timing) for kernel families and tests. */
    public KernelLauncher launcher() {
        return launcher;
    }

    /** Bytes held by this backend's open buffers. */
    public long allocatedBytes() {
        return memory.allocatedBytes();
    }

    @Override
    public String kind() {
        return "opencl";
    }

    @Override
    public DeviceInfo device() {
        return runtime.info();
    }

    // ---------------------------------------------------------------- memory

    @Override
    public DeviceBuffer allocate(String name, DType dtype, long length) {
        return memory.allocate(name, dtype, length);
    }

    @Override
    public void upload(DeviceBuffer dst, long dstOffset, ByteBuffer src) {
        memory.upload(dst, dstOffset, src);
    }

    /** A CPU device works in host memory: weights are read in place from the host pages ({@link ClHostBuffers}). */
    @Override
    public boolean sharesHostMemory() {
        return "CPU".equals(runtime.info().kind());
    }

    @Override
    public DeviceBuffer wrapReadOnly(String name, DType dtype, long length, ByteBuffer bytes) {
        if (sharesHostMemory() && ClHostBuffers.canWrap(bytes)) {
            return ClHostBuffers.wrap(runtime, name, dtype, length, bytes);
        }
        return Backend.super.wrapReadOnly(name, dtype, length, bytes);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, float[] src, int srcOffset, int count) {
        memory.write(dst, dstOffset, src, srcOffset, count);
    }

    @Override
    public void write(DeviceBuffer dst, long dstOffset, int[] src, int srcOffset, int count) {
        memory.write(dst, dstOffset, src, srcOffset, count);
    }

    @Override
    public float[] readFloats(DeviceBuffer src, long offset, int count) {
        return memory.readFloats(src, offset, count);
    }

    @Override
    public int[] readInts(DeviceBuffer src, long offset, int count) {
        return memory.readInts(src, offset, count);
    }

    @Override
    public void copy(DeviceBuffer src, long srcOffset, DeviceBuffer dst, long dstOffset, long count) {
        memory.copy(src, srcOffset, dst, dstOffset, count);
    }

    @Override
    public void fillRandom(DeviceBuffer dst, long seed, float scale) {
        fills.fillRandom(dst, seed, scale);
    }

    @Override
    public void fill(DeviceBuffer dst, float value) {
        fills.fill(dst, value);
    }

    @Override
    public void finish() {
        runtime.finish();
    }

    // ---------------------------------------------------------------- timing

    @Override
    public void beginTiming() {
        timer.begin();
    }

    @Override
    public DeviceInterval endTiming() {
        return timer.end();
    }

    // ---------------------------------------------------------------- dense transformer ops

    @Override
    public void embedding(DeviceBuffer table, DeviceBuffer ids, DeviceBuffer out, int tokens, int hidden, int vocab) {
        dense.embedding(table, ids, out, tokens, hidden, vocab);
    }

    @Override
    public void rmsNorm(DeviceBuffer x, DeviceBuffer w, DeviceBuffer out, int rows, int n, float eps) {
        dense.rmsNorm(x, w, out, rows, n, eps);
    }

    @Override
    public void matmul(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int tokens, int in, int out) {
        matmuls.matmul(x, w, y, tokens, in, out);
    }

    @Override
    public void addRmsNorm(DeviceBuffer residual, DeviceBuffer delta, DeviceBuffer w, DeviceBuffer normed, int rows,
                           int n, float eps) {
        dense.addRmsNorm(residual, delta, w, normed, rows, n, eps);
    }

    @Override
    public void qkNorm(DeviceBuffer q, DeviceBuffer qNorm, int qRows, DeviceBuffer k, DeviceBuffer kNorm, int kRows,
                       int n, float eps) {
        dense.qkNorm(q, qNorm, qRows, k, kNorm, kRows, n, eps);
    }

    @Override
    public void ropeQk(DeviceBuffer q, DeviceBuffer k, DeviceBuffer positions, int tokens, int heads, int kvHeads,
                       int headDim, float theta) {
        dense.ropeQk(q, k, positions, tokens, heads, kvHeads, headDim, theta);
    }

    @Override
    public void matmul3(DeviceBuffer x, int tokens, int in, DeviceBuffer w0, DeviceBuffer y0, int out0,
                        DeviceBuffer w1, DeviceBuffer y1, int out1, DeviceBuffer w2, DeviceBuffer y2, int out2) {
        matmuls.matmul3(x, tokens, in, w0, y0, out0, w1, y1, out1, w2, y2, out2);
    }

    @Override
    public void rope(DeviceBuffer x, DeviceBuffer positions, int tokens, int heads, int headDim, float theta) {
        dense.rope(x, positions, tokens, heads, headDim, theta);
    }

    @Override
    public void attention(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache, DeviceBuffer vCache,
                          DeviceBuffer out, int tokens, int startPos, int heads, int kvHeads, int headDim,
                          int capacity) {
        attention.attention(q, k, v, kCache, vCache, out, 0, tokens, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void attentionAtRow(DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer kCache,
                               DeviceBuffer vCache, DeviceBuffer out, int row, int startPos, int heads, int kvHeads,
                               int headDim, int capacity) {
        attention.attention(q, k, v, kCache, vCache, out, row, 1, startPos, heads, kvHeads, headDim, capacity);
    }

    @Override
    public void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        dense.add(a, b, out, n);
    }

    @Override
    public void siluMul(DeviceBuffer gate, DeviceBuffer up, DeviceBuffer out, int n) {
        dense.siluMul(gate, up, out, n);
    }

    // ---------------------------------------------------------------- MoE ops

    @Override
    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k,
                          boolean normTopk) {
        moeKernels.routeTopk(logits, ids, weights, tokens, experts, k, normTopk);
    }

    @Override
    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets,
                              DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k,
                              int tileRows) {
        moeKernels.buildDispatch(selectedIds, counts, offsets, sortedPairs, workList, tokens, experts, k, tileRows);
    }

    @Override
    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                            DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                            int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        return moeKernels.groupedGemm(x, xRowDivisor, w, out, counts, offsets, sortedPairs, workList,
                tokens, k, experts, inDim, outDim, maxPerExpert);
    }

    @Override
    public int groupedGemmTileRows() {
        return moeKernels.groupedGemmTileRows();
    }

    @Override
    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                           int pairs, int experts, int inDim, int outDim) {
        moeKernels.expertGemv(x, xRowDivisor, w, ids, out, pairs, experts, inDim, outDim);
    }

    @Override
    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                 DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        moeKernels.expertGateUpSilu(x, xRowDivisor, wGate, wUp, ids, out, pairs, experts, hidden, inter);
    }

    @Override
    public ByteBuffer readBytes(DeviceBuffer src, long offset, long count) {
        return memory.readBytes(src, offset, count);
    }

    @Override
    public void quantizeQ8(DeviceBuffer x, DeviceBuffer xq, int rows, int n) {
        moeKernels.quantizeQ8(x, xq, rows, n);
    }

    @Override
    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        moeKernels.weightedSum(down, weights, out, tokens, k, hidden);
    }

    @Override
    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual,
                                    DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden,
                                    float eps) {
        moeKernels.weightedSumResidual(down, weights, residual, nextNorm, normOut, tokens, k, hidden, eps);
    }

    @Override
    public void close() {
        dense.close();
        attention.close();
        programs.close();
        runtime.close();
    }
}
