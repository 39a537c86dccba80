package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.java.JavaBackend;

/**
 * The OpenCL backend under test and the Java reference side by side, with buffers that hold the same values on both
 * (fillRandom is bit-exact across backends, see FillParityTest). Closing releases every buffer it made.
 */
final class BackendPair implements AutoCloseable {
    /** A buffer on each backend. */
    record Buf(DeviceBuffer cl, DeviceBuffer ref) {
    }

    final OpenClBackend cl;
    final JavaBackend ref = new JavaBackend();
    private final List<Buf> buffers = new ArrayList<>();

    BackendPair() {
        cl = OpenClTestSupport.openOrSkip();
    }

    /** With the kernel style flipped ({@link DeviceTuning#rowPerItem()}), so both GPU and CPU kernels get tested. */
    static BackendPair otherKernelStyle() {
        ClDevice device = OpenClTestSupport.firstDeviceOrSkip();
        boolean rowPerItem = DeviceTuning.forDevice(device).rowPerItem();
        String key = "moescope.cl.ROW_PER_ITEM";
        String old = System.getProperty(key);
        System.setProperty(key, rowPerItem ? "0" : "1");
        try {
            BackendPair pair = new BackendPair();
            if (pair.cl.launcher().tuning().rowPerItem() == rowPerItem) {
                throw new AssertionError("tuning override " + key + " had no effect");
            }
            return pair;
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    Buf random(String name, DType dtype, long length, long seed, float scale) {
        Buf b = zeros(name, dtype, length);
        cl.fillRandom(b.cl, seed, scale);
        ref.fillRandom(b.ref, seed, scale);
        return b;
    }

    Buf zeros(String name, DType dtype, long length) {
        Buf b = new Buf(cl.allocate(name, dtype, length), ref.allocate(name, dtype, length));
        buffers.add(b);
        return b;
    }

    Buf ints(String name, int[] values) {
        Buf b = zeros(name, DType.I32, values.length);
        cl.write(b.cl, values);
        ref.write(b.ref, values);
        return b;
    }

    /** Asserts |cl - ref| <= atol + rtol * |ref| element-wise over the first {@code n} elements. */
    void assertClose(Buf b, int n, double atol, double rtol, String what) {
        float[] got = cl.readFloats(b.cl, 0, n);
        float[] want = ref.readFloats(b.ref, 0, n);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(want[i]) || Float.isNaN(got[i])) {
                fail(what + ": NaN at " + i + " (cl " + got[i] + ", ref " + want[i] + ")");
            }
            double err = Math.abs(got[i] - want[i]);
            worst = Math.max(worst, err);
            if (err > atol + rtol * Math.abs(want[i])) {
                fail(String.format("%s: element %d: cl %.7g vs ref %.7g (|diff| %.3g > atol %.1g + rtol %.1g * |ref|)",
                        what, i, got[i], want[i], err, atol, rtol));
            }
        }
        assertEquals(n, got.length);
    }

    @Override
    public void close() {
        for (Buf b : buffers) {
            b.cl.close();
            b.ref.close();
        }
        cl.close();
        ref.close();
    }
}
