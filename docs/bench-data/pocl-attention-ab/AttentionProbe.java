package org.moescope.engine;

import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.backend.opencl.OpenClBackend;

class AttentionProbeTest {
    @Test
    void probe() {
        try (OpenClBackend cl = OpenClTestSupport.openOrSkip()) {
            int heads = 32, kvHeads = 4, d = 128, cap = 4200, kvDim = kvHeads * d;
            for (DType t : new DType[] {DType.F32, DType.F16}) {
                try (DeviceBuffer kc = cl.allocate("kc", t, (long) cap * kvDim); DeviceBuffer vc = cl.allocate("vc", t, (long) cap * kvDim);
                     DeviceBuffer q = cl.allocate("q", DType.F32, 512L * heads * d); DeviceBuffer k = cl.allocate("k", DType.F32, 512L * kvDim);
                     DeviceBuffer v = cl.allocate("v", DType.F32, 512L * kvDim); DeviceBuffer out = cl.allocate("out", DType.F32, 512L * heads * d)) {
                    cl.fillRandom(kc, 1, 1f); cl.fillRandom(vc, 2, 1f); cl.fillRandom(q, 3, 1f); cl.fillRandom(k, 4, 1f); cl.fillRandom(v, 5, 1f);
                    for (int[] shape : new int[][] {{1, 4000}, {1, 1000}, {512, 0}, {64, 3000}}) {
                        int tokens = shape[0], start = shape[1];
                        for (int w = 0; w < 2; w++) cl.attention(q, k, v, kc, vc, out, tokens, start, heads, kvHeads, d, cap);
                        cl.finish();
                        double[] us = new double[7];
                        for (int r = 0; r < us.length; r++) {
                            cl.beginTiming();
                            cl.attention(q, k, v, kc, vc, out, tokens, start, heads, kvHeads, d, cap);
                            DeviceInterval iv = cl.endTiming();
                            us[r] = (iv.endNanos() - iv.startNanos()) / 1e3;
                        }
                        java.util.Arrays.sort(us);
                        double flops = 0;
                        for (int tt = 0; tt < tokens; tt++) flops += 4.0 * heads * d * (start + tt + 1);
                        System.out.printf("ATTNPROBE %s tokens=%d start=%d: %.1f us (%.2f GFLOP/s) checksum %.6f%n", t, tokens, start, us[3], flops / us[3] / 1e3, cl.readFloats(out, 0, 8)[3]);
                    }
                }
            }
        }
    }
}
