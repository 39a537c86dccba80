package org.moescope.engine.backend.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;

/**
 * The decode expert GEMVs (Qwen3-30B-A3B shapes: 8 experts of 128, hidden 2048, inter 768) of each weight type,
 * alternated launch by launch so that a shared machine's load falls on all types alike; prints the minimum and the
 * median device time of each and its speed-up over BF16. Not a test: run with the test classpath, arguments
 * {@code [dtypes, default BF16,Q8_0,Q4_K,Q6_K] [rounds, default 40]}.
 */
public final class QuantizedGemvBench {
    private static final int HIDDEN = 2048;
    private static final int INTER = 768;
    private static final int EXPERTS = 128;
    private static final int TOP_K = 8;

    private QuantizedGemvBench() {
    }

    public static void main(String[] args) {
        List<DType> dtypes = Arrays.stream((args.length > 0 ? args[0] : "BF16,Q8_0,Q4_K,Q6_K").split(","))
                .map(DType::parse).toList();
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        try (OpenClBackend cl = new OpenClBackend(ClDevices.list().get(0))) {
            System.out.println("device " + cl.device().summary());
            List<DeviceBuffer> buffers = new ArrayList<>();
            DeviceBuffer x = cl.allocate("x", DType.F32, HIDDEN);
            DeviceBuffer act = cl.allocate("act", DType.F32, (long) TOP_K * INTER);
            DeviceBuffer xq = cl.allocate("xq", DType.Q8_0, HIDDEN);
            DeviceBuffer actQ = cl.allocate("actQ", DType.Q8_0, (long) TOP_K * INTER);
            cl.fillRandom(x, 1, 1f);
            cl.fillRandom(act, 2, 1f);
            cl.quantizeQ8(x, xq, 1, HIDDEN);
            cl.quantizeQ8(act, actQ, TOP_K, INTER);
            int[] ids = new Random(40).ints(0, EXPERTS).distinct().limit(TOP_K).toArray();
            DeviceBuffer idBuf = cl.allocate("ids", DType.I32, TOP_K);
            cl.write(idBuf, ids);
            DeviceBuffer out = cl.allocate("out", DType.F32, (long) TOP_K * HIDDEN);
            Map<String, Runnable> ops = new LinkedHashMap<>();
            for (DType dtype : dtypes) {
                DeviceBuffer gate = cl.allocate("gate." + dtype, dtype, (long) EXPERTS * INTER * HIDDEN);
                DeviceBuffer up = cl.allocate("up." + dtype, dtype, (long) EXPERTS * INTER * HIDDEN);
                DeviceBuffer down = cl.allocate("down." + dtype, dtype, (long) EXPERTS * HIDDEN * INTER);
                cl.fillRandom(gate, 3, 0.05f);
                cl.fillRandom(up, 4, 0.05f);
                cl.fillRandom(down, 5, 0.05f);
                buffers.addAll(List.of(gate, up, down));
                ops.put("gate_up_silu " + dtype, () -> cl.expertGateUpSilu(x, TOP_K, gate, up, idBuf, out, TOP_K,
                        EXPERTS, HIDDEN, INTER));
                ops.put("down " + dtype, () -> cl.expertGemv(act, 1, down, idBuf, out, TOP_K, EXPERTS, INTER, HIDDEN));
                if (dtype.isQuantized()) {
                    ops.put("gate_up_silu " + dtype + " q8", () -> cl.expertGateUpSilu(xq, TOP_K, gate, up, idBuf, out,
                            TOP_K, EXPERTS, HIDDEN, INTER));
                    ops.put("down " + dtype + " q8", () -> cl.expertGemv(actQ, 1, down, idBuf, out, TOP_K, EXPERTS,
                            INTER, HIDDEN));
                }
            }
            Map<String, double[]> times = new LinkedHashMap<>();
            ops.forEach((name, op) -> {
                op.run();
                op.run();
                times.put(name, new double[rounds]);
            });
            cl.finish();
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Runnable> e : ops.entrySet()) {
                    cl.beginTiming();
                    e.getValue().run();
                    DeviceInterval w = cl.endTiming();
                    times.get(e.getKey())[r] = (w.endNanos() - w.startNanos()) / 1e3;
                }
            }
            times.forEach((name, us) -> {
                Arrays.sort(us);
                String[] parts = name.split(" ");
                double[] bf16 = times.get(parts[0] + " BF16");
                String ratio = bf16 == null ? "" : String.format(Locale.ROOT, "  min %.2fx, median %.2fx BF16",
                        bf16[0] / us[0], bf16[rounds / 2] / us[rounds / 2]);
                System.out.printf(Locale.ROOT, "%-22s min %8.1f us  median %8.1f us%s%n", name, us[0], us[rounds / 2],
                        ratio);
            });
        }
    }
}
