package org.moescope.engine.backend.opencl;

import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.quant.RandomBlocks;

/**
 * fillRandom and fill on the device (kernels/fill.cl), so synthetic weights never cross the bus; quantized buffers get
 * {@link RandomBlocks}' blocks byte for byte.
 */
final class FillKernels {
    private static final int LOCAL = 64;
    private final KernelLauncher launcher;
    private final ClMemory memory;

    FillKernels(KernelLauncher launcher, ClMemory memory) {
        this.launcher = launcher;
        this.memory = memory;
    }

    void fillRandom(DeviceBuffer dst, long seed, float scale) {
        ClBuffer d = floatBuffer(dst);
        if (d.dtype().isQuantized()) {
            // RandomBlocks: the two base scale bit patterns from the host, the rest integer work per block
            int[] bits = RandomBlocks.scaleBits(d.dtype(), scale);
            long blocks = d.length() / d.dtype().blockElements();
            launcher.launch("fill", "fill_random_blocks", KernelLauncher.weightDefine(d.dtype()))
                    .arg(d).arg(blocks).arg(seed).arg(bits[0]).arg(bits[1]).run1d(blocks, LOCAL);
            return;
        }
        launcher.launch("fill", "fill_random", KernelLauncher.weightDefine(d.dtype()))
                .arg(d).arg(d.length()).arg(seed).arg(scale).run1d(d.length(), LOCAL);
    }

    void fill(DeviceBuffer dst, float value) {
        ClBuffer d = floatBuffer(dst);
        if (d.dtype().isQuantized()) {
            memory.fillBlocks(d, value);
            return;
        }
        launcher.launch("fill", "fill_value", KernelLauncher.weightDefine(d.dtype()))
                .arg(d).arg(d.length()).arg(value).run1d(d.length(), LOCAL);
    }

    private ClBuffer floatBuffer(DeviceBuffer dst) {
        ClBuffer d = ClBuffer.of(dst, "dst", launcher.runtime());
        if (d.dtype() == DType.I32) {
            throw new IllegalArgumentException("dst ('" + d.name() + "') is I32; fills need a float or quantized dtype");
        }
        return d;
    }
}
