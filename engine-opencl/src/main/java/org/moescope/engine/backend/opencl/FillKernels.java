package org.moescope.engine.backend.opencl;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;

/** fillRandom and fill on the device (kernels/fill.cl), so synthetic weights never cross the bus. */
final class FillKernels {
    private static final int LOCAL = 64;
    private final KernelLauncher launcher;

    FillKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void fillRandom(DeviceBuffer dst, long seed, float scale) {
        ClBuffer d = floatBuffer(dst);
        launcher.launch("fill", "fill_random", KernelLauncher.weightDefine(d.dtype()))
                .arg(d).arg(d.length()).arg(seed).arg(scale).run1d(d.length(), LOCAL);
    }

    void fill(DeviceBuffer dst, float value) {
        ClBuffer d = floatBuffer(dst);
        launcher.launch("fill", "fill_value", KernelLauncher.weightDefine(d.dtype()))
                .arg(d).arg(d.length()).arg(value).run1d(d.length(), LOCAL);
    }

    private ClBuffer floatBuffer(DeviceBuffer dst) {
        ClBuffer d = ClBuffer.of(dst, "dst", launcher.runtime());
        if (d.dtype() == DType.I32) {
            throw new IllegalArgumentException("dst ('" + d.name() + "') is I32; fills need F32, F16 or BF16");
        }
        return d;
    }
}
