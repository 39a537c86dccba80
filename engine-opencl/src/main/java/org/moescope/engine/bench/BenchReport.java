package org.moescope.engine.bench;

import java.util.List;
import org.moescope.engine.backend.DeviceInfo;

/**
 * Everything one bench run measured: the device and its roofs, the MoE layer workloads, the ggml MUL_MAT_ID
 * comparison and whole-model throughput. Parts not run are empty lists (roofline and pages may be null).
 */
public record BenchReport(String startedUtc, DeviceInfo device, String backendKind, HostLoad host, HostPages pages,
                          BenchSettings settings, DeviceRoofline roofline, List<WorkloadResult> workloads,
                          List<GemmCaseResult> mulMatId, List<ModelThroughput> models) {

    public BenchReport {
        workloads = List.copyOf(workloads);
        mulMatId = List.copyOf(mulMatId);
        models = List.copyOf(models);
    }

    /** Fraction of the measured F32 read bandwidth a rate of {@code gbps} is (NaN without a roofline). */
    public double readFraction(double gbps) {
        return roofline == null || !(roofline.readF32GBps() > 0) ? Double.NaN : gbps / roofline.readF32GBps();
    }

    /** Fraction of the measured FP32 peak a rate of {@code gflops} is (NaN when the peak is unknown). */
    public double peakFraction(double gflops) {
        return roofline == null || !(roofline.fp32Gflops() > 0) ? Double.NaN : gflops / roofline.fp32Gflops();
    }
}
