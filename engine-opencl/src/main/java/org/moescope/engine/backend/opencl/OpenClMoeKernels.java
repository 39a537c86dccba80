package org.moescope.engine.backend.opencl;

import org.moescope.engine.backend.DeviceBuffer;

/**
 * Placeholder for the MoE kernels (route, dispatch, grouped GEMM, expert GEMV, weighted sums), which the MoE-kernel
 * engineer replaces. Every method follows the contract of the same-named method of
 * {@link org.moescope.engine.backend.Backend}.
 */
public final class OpenClMoeKernels {
    private final KernelLauncher launcher;

    public OpenClMoeKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    private UnsupportedOperationException notYet(String op) {
        return new UnsupportedOperationException(op + " is not implemented on OpenCL yet (device "
                + launcher.runtime().info().name() + ")");
    }

    public void routeTopk(DeviceBuffer logits, DeviceBuffer ids, DeviceBuffer weights, int tokens, int experts, int k,
                          boolean normTopk) {
        throw notYet("routeTopk");
    }

    public void buildDispatch(DeviceBuffer selectedIds, DeviceBuffer counts, DeviceBuffer offsets,
                              DeviceBuffer sortedPairs, DeviceBuffer workList, int tokens, int experts, int k,
                              int tileRows) {
        throw notYet("buildDispatch");
    }

    public long groupedGemm(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer out, DeviceBuffer counts,
                            DeviceBuffer offsets, DeviceBuffer sortedPairs, DeviceBuffer workList,
                            int tokens, int k, int experts, int inDim, int outDim, int maxPerExpert) {
        throw notYet("groupedGemm");
    }

    public int groupedGemmTileRows() {
        throw notYet("groupedGemmTileRows");
    }

    public void expertGemv(DeviceBuffer x, int xRowDivisor, DeviceBuffer w, DeviceBuffer ids, DeviceBuffer out,
                           int pairs, int experts, int inDim, int outDim) {
        throw notYet("expertGemv");
    }

    public void expertGateUpSilu(DeviceBuffer x, int xRowDivisor, DeviceBuffer wGate, DeviceBuffer wUp,
                                 DeviceBuffer ids, DeviceBuffer out, int pairs, int experts, int hidden, int inter) {
        throw notYet("expertGateUpSilu");
    }

    public void weightedSum(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer out, int tokens, int k, int hidden) {
        throw notYet("weightedSum");
    }

    public void weightedSumResidual(DeviceBuffer down, DeviceBuffer weights, DeviceBuffer residual,
                                    DeviceBuffer nextNorm, DeviceBuffer normOut, int tokens, int k, int hidden,
                                    float eps) {
        throw notYet("weightedSumResidual");
    }
}
