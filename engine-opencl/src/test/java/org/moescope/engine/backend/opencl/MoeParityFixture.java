package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.java.JavaBackend;

/**
 * An OpenCL backend (skipped without OpenCL) beside the Java reference, with the same data on both: each
 * {@link Twin} is one tensor allocated on each backend. Tests share one fixture per class (compiled programs are
 * cached per backend) and release their buffers after each test; closing releases both backends.
 */
final class MoeParityFixture implements AutoCloseable {
    /** One tensor on both backends. */
    record Twin(DeviceBuffer cl, DeviceBuffer java) {
    }

    final OpenClBackend cl = OpenClTestSupport.openOrSkip();
    final JavaBackend java = new JavaBackend();
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    /** Pseudo-random values in [-scale, scale], rounded to dtype, bit-identical on both (Backend.fillRandom). */
    Twin random(String name, DType dtype, long length, long seed, float scale) {
        Twin t = zeros(name, dtype, length);
        cl.fillRandom(t.cl, seed, scale);
        java.fillRandom(t.java, seed, scale);
        return t;
    }

    /**
     * A quantized tensor of RandomBlocks' blocks (fillRandom) on both backends, checked to be the same bytes: the Java
     * reference decodes them exactly as ggml does, so the kernels' products differ from its only by summation order.
     */
    Twin quantized(String name, DType dtype, long length, long seed, float scale) {
        Twin t = random(name, dtype, length, seed, scale);
        assertSameBytes(t, length, name);
        return t;
    }

    /** Asserts the stored bytes of the first {@code length} elements are the same on both backends. */
    void assertSameBytes(Twin t, long length, String what) {
        ByteBuffer c = cl.readBytes(t.cl(), 0, length);
        ByteBuffer j = java.readBytes(t.java(), 0, length);
        assertEquals(j.remaining(), c.remaining(), what + ": bytes");
        for (int i = 0; i < j.remaining(); i++) {
            if (c.get(c.position() + i) != j.get(j.position() + i)) {
                fail(what + ": byte " + i + " is " + c.get(c.position() + i) + " on OpenCL, "
                        + j.get(j.position() + i) + " on the Java reference");
            }
        }
    }

    Twin floats(String name, float[] values) {
        Twin t = zeros(name, DType.F32, values.length);
        cl.write(t.cl, values);
        java.write(t.java, values);
        return t;
    }

    Twin ints(String name, int[] values) {
        Twin t = zeros(name, DType.I32, values.length);
        cl.write(t.cl, values);
        java.write(t.java, values);
        return t;
    }

    Twin zeros(String name, DType dtype, long length) {
        Twin t = new Twin(track(cl, name, dtype, length), track(java, name, dtype, length));
        return t;
    }

    /** A buffer on the OpenCL backend only. */
    DeviceBuffer clBuffer(String name, DType dtype, long length) {
        return track(cl, name, dtype, length);
    }

    private DeviceBuffer track(Backend backend, String name, DType dtype, long length) {
        DeviceBuffer b = backend.allocate(name, dtype, length);
        buffers.add(b);
        return b;
    }

    float[] clFloats(Twin t, int count) {
        return cl.readFloats(t.cl, 0, count);
    }

    float[] javaFloats(Twin t, int count) {
        return java.readFloats(t.java, 0, count);
    }

    /** Asserts |cl - java| <= tolerance * (1 + |java|) for the first count elements, naming the first bad index. */
    void assertClose(Twin t, int count, double tolerance, String what) {
        assertClose(javaFloats(t, count), clFloats(t, count), tolerance, what);
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double limit = tolerance * (1 + Math.abs(expected[i]));
            if (!(Math.abs(expected[i] - actual[i]) <= limit)) {
                fail(what + ": element " + i + " is " + actual[i] + ", reference " + expected[i] + " (tolerance "
                        + limit + ")");
            }
        }
    }

    /** Releases the buffers made so far (between tests sharing one fixture). */
    void releaseBuffers() {
        buffers.forEach(DeviceBuffer::close);
        buffers.clear();
    }

    @Override
    public void close() {
        releaseBuffers();
        cl.close();
        java.close();
    }
}
