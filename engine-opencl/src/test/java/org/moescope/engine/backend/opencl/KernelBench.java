package org.moescope.engine.backend.opencl;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;

/**
 * Device-time micro-benchmark of the dense kernels on Qwen3-MoE-like shapes (not a test; run with
 * {@code java -cp ... org.moescope.engine.backend.opencl.KernelBench [deviceSelector]}). Prints the median of
 * repeated timing windows and the effective bandwidth (GEMV, attention) or throughput (GEMM).
 */
public final class KernelBench {
    private static final int REPEATS = Integer.getInteger("moescope.bench.repeats", 15);

    private KernelBench() {
    }

    public static void main(String[] args) {
        List<ClDevice> devices = ClDevices.list();
        ClDevice device = args.length > 0 ? ClDevices.select(devices, args[0]) : devices.get(0);
        try (OpenClBackend cl = new OpenClBackend(device)) {
            System.out.println("device " + cl.device().summary() + " tuning " + cl.launcher().tuning());
            boolean quick = Boolean.getBoolean("moescope.bench.quick");
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                for (int tokens : tokenCounts(quick)) {
                    matmul(cl, dtype, tokens, 2048, 6144);
                }
            }
            attention(cl, 1, 4095, 32, 4, 128);
            if (!quick) {
                attention(cl, 512, 0, 32, 4, 128);
            }
        }
    }

    /** Token counts from -Dmoescope.bench.tokens=1,4,64, else a quick or full default list. */
    private static int[] tokenCounts(boolean quick) {
        String list = System.getProperty("moescope.bench.tokens");
        if (list != null) {
            return Arrays.stream(list.split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray();
        }
        return quick ? new int[] {1, 4} : new int[] {1, 4, 8, 16, 64, 512};
    }

    private static void matmul(OpenClBackend cl, DType dtype, int tokens, int in, int out) {
        try (DeviceBuffer x = cl.allocate("x", DType.F32, (long) tokens * in);
             DeviceBuffer w = cl.allocate("w", dtype, (long) out * in);
             DeviceBuffer y = cl.allocate("y", DType.F32, (long) tokens * out)) {
            cl.fillRandom(x, 1, 1f);
            cl.fillRandom(w, 2, 1f);
            double ns = median(() -> cl.matmul(x, w, y, tokens, in, out), cl);
            double bytes = (double) out * in * dtype.bytes() + 4.0 * tokens * (in + out);
            double flops = 2.0 * tokens * in * out;
            System.out.printf(Locale.ROOT, "matmul %-4s T=%-4d %dx%d: %9.1f us  %7.1f GB/s  %8.1f GFLOP/s%n",
                    dtype, tokens, out, in, ns / 1e3, bytes / ns, flops / ns);
        }
    }

    private static void attention(OpenClBackend cl, int tokens, int startPos, int heads, int kvHeads, int d) {
        int capacity = startPos + tokens;
        int kvDim = kvHeads * d;
        try (DeviceBuffer q = cl.allocate("q", DType.F32, (long) tokens * heads * d);
             DeviceBuffer k = cl.allocate("k", DType.F32, (long) tokens * kvDim);
             DeviceBuffer v = cl.allocate("v", DType.F32, (long) tokens * kvDim);
             DeviceBuffer kc = cl.allocate("kc", DType.F32, (long) capacity * kvDim);
             DeviceBuffer vc = cl.allocate("vc", DType.F32, (long) capacity * kvDim);
             DeviceBuffer o = cl.allocate("o", DType.F32, (long) tokens * heads * d)) {
            for (DeviceBuffer b : new DeviceBuffer[] {q, k, v, kc, vc}) {
                cl.fillRandom(b, 3, 1f);
            }
            double ns = median(() -> cl.attention(q, k, v, kc, vc, o, tokens, startPos, heads, kvHeads, d, capacity), cl);
            double cacheBytes = 2.0 * 4 * kvDim * (startPos + tokens);
            System.out.printf(Locale.ROOT, "attention T=%-4d start=%-5d heads=%d/%d d=%d: %9.1f us  %7.1f GB/s (cache)%n",
                    tokens, startPos, heads, kvHeads, d, ns / 1e3, cacheBytes / ns);
        }
    }

    private static double median(Runnable op, OpenClBackend cl) {
        op.run();
        cl.finish();
        double[] ns = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            cl.beginTiming();
            op.run();
            DeviceInterval interval = cl.endTiming();
            ns[i] = interval.endNanos() - interval.startNanos();
        }
        Arrays.sort(ns);
        return ns[REPEATS / 2];
    }
}
