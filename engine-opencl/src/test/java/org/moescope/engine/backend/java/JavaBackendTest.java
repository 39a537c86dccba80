package org.moescope.engine.backend.java;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.DeviceInterval;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.SyntheticRandom;

/** Memory, timing and dense ops of the reference backend against formulas written out here. */
class JavaBackendTest {
    private final JavaBackend backend = new JavaBackend();

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    DeviceBuffer f32(String name, float[] values) {
        DeviceBuffer b = backend.allocate(name, DType.F32, values.length);
        backend.write(b, values);
        return b;
    }

    DeviceBuffer i32(String name, int[] values) {
        DeviceBuffer b = backend.allocate(name, DType.I32, values.length);
        backend.write(b, values);
        return b;
    }

    float[] read(DeviceBuffer b) {
        return backend.readFloats(b, 0, (int) b.length());
    }

    @Test
    void describesItselfAsTheReference() {
        assertEquals("java", backend.kind());
        assertEquals("REFERENCE", backend.device().kind());
        assertEquals("Java reference", backend.device().name());
        assertEquals("MoEScope", backend.device().platform());
        assertEquals(16, backend.groupedGemmTileRows());
    }

    @Test
    void allocationIsZeroedAndRoundTrips() {
        DeviceBuffer b = backend.allocate("b", DType.F32, 6);
        assertArrayEquals(new float[6], read(b));
        backend.write(b, 2, new float[] {9f, 1.5f, -2f, 7f}, 1, 3);
        assertArrayEquals(new float[] {0, 0, 1.5f, -2f, 7f, 0}, read(b));
        DeviceBuffer c = backend.allocate("c", DType.F32, 6);
        backend.copy(b, 2, c, 0, 3);
        assertArrayEquals(new float[] {1.5f, -2f, 7f, 0, 0, 0}, read(c));
        DeviceBuffer ints = i32("ints", new int[] {4, -5, 6});
        assertArrayEquals(new int[] {-5, 6}, backend.readInts(ints, 1, 2));
    }

    @Test
    void sixteenBitBuffersRoundToNearestEven() {
        float ulp16 = 0x1p-10f;
        DeviceBuffer h = backend.allocate("h", DType.F16, 4);
        // below half an ulp, exact tie to even (down), tie to even (up), above half an ulp
        backend.write(h, new float[] {1 + ulp16 / 4, 1 + ulp16 / 2, 1 + 3 * ulp16 / 2, 1 + 3 * ulp16 / 4});
        assertArrayEquals(new float[] {1f, 1f, 1 + 2 * ulp16, 1 + ulp16}, read(h));
        float ulpBf = 0x1p-7f;
        DeviceBuffer bf = backend.allocate("bf", DType.BF16, 4);
        backend.write(bf, new float[] {1 + ulpBf / 4, 1 + ulpBf / 2, 1 + 3 * ulpBf / 2, 1 + 3 * ulpBf / 4});
        assertArrayEquals(new float[] {1f, 1f, 1 + 2 * ulpBf, 1 + ulpBf}, read(bf));
    }

    @Test
    void uploadReadsLittleEndianElementsOfTheBufferDtype() {
        ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putFloat(1.25f).putFloat(-3f).putFloat(1e-3f).flip();
        DeviceBuffer f = backend.allocate("f", DType.F32, 4);
        backend.upload(f, 1, bytes);
        assertEquals(0, bytes.position(), "the caller's buffer position is left alone");
        assertArrayEquals(new float[] {0, 1.25f, -3f, 1e-3f}, read(f));

        ByteBuffer halves = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        halves.putShort((short) 0x3C00).putShort((short) 0xC200).flip(); // F16 1.0, -3.0
        DeviceBuffer h = backend.allocate("h", DType.F16, 2);
        backend.upload(h, 0, halves);
        assertArrayEquals(new float[] {1f, -3f}, read(h));

        ByteBuffer bf = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf.putShort((short) 0x3FC0).putShort((short) 0xC040).flip(); // BF16 1.5, -3.0
        DeviceBuffer b = backend.allocate("b", DType.BF16, 2);
        backend.upload(b, 0, bf);
        assertArrayEquals(new float[] {1.5f, -3f}, read(b));

        ByteBuffer ints = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        ints.putInt(7).putInt(-1).flip();
        DeviceBuffer i = backend.allocate("i", DType.I32, 2);
        backend.upload(i, 0, ints);
        assertArrayEquals(new int[] {7, -1}, backend.readInts(i, 0, 2));
    }

    @Test
    void fillRandomFollowsTheHashAndRoundsToTheDtype() {
        DeviceBuffer a = backend.allocate("a", DType.F32, 1000);
        DeviceBuffer b = backend.allocate("b", DType.F32, 1000);
        DeviceBuffer h = backend.allocate("h", DType.BF16, 1000);
        backend.fillRandom(a, 42, 0.5f);
        backend.fillRandom(b, 42, 0.5f);
        backend.fillRandom(h, 42, 0.5f);
        float[] av = read(a);
        assertArrayEquals(av, read(b), "same seed, same values");
        float[] hv = read(h);
        for (int i = 0; i < av.length; i++) {
            float u = (SyntheticRandom.hash(i, 42) >>> 8) / 16777216f;
            assertEquals((2 * u - 1) * 0.5f, av[i], 0f);
            assertTrue(Math.abs(av[i]) <= 0.5f);
            assertEquals(av[i], hv[i], Math.abs(av[i]) * 0x1p-8f, "BF16 keeps 8 significant bits");
            assertEquals(0, Float.floatToRawIntBits(hv[i]) & 0xffff, "BF16 values have 16 zero low bits");
        }
        backend.fillRandom(b, 43, 0.5f);
        assertNotEquals(av[0], read(b)[0]);
        backend.fill(b, 2.5f);
        assertEquals(2.5f, read(b)[999]);
    }

    @Test
    void timingWindowsAreEmptyWithoutWorkAndDoNotNest() {
        backend.beginTiming();
        assertSame(DeviceInterval.EMPTY, backend.endTiming());
        DeviceBuffer b = backend.allocate("b", DType.F32, 4);
        backend.beginTiming();
        backend.fill(b, 1f);
        DeviceInterval i = backend.endTiming();
        assertTrue(i.endNanos() >= i.startNanos() && i.startNanos() > 0);
        backend.beginTiming();
        assertThrows(IllegalStateException.class, backend::beginTiming);
        backend.endTiming();
        assertThrows(IllegalStateException.class, backend::endTiming);
    }

    @Test
    void embeddingGathersRows() {
        DeviceBuffer table = backend.allocate("table", DType.F16, 12);
        backend.write(table, new float[] {0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32});
        DeviceBuffer out = backend.allocate("out", DType.F32, 9);
        backend.embedding(table, i32("ids", new int[] {3, 0, 3}), out, 3, 3, 4);
        assertArrayEquals(new float[] {30, 31, 32, 0, 1, 2, 30, 31, 32}, read(out));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> backend.embedding(table, i32("bad", new int[] {4}), out, 1, 3, 4));
        assertTrue(e.getMessage().startsWith("ids[0] = 4"), e.getMessage());
    }

    @Test
    void rmsNormInPlace() {
        float[] x = random(2 * 5, 1);
        float[] w = random(5, 2);
        DeviceBuffer xb = f32("x", x);
        backend.rmsNorm(xb, f32("w", w), xb, 2, 5, 1e-6f);
        float[] got = read(xb);
        for (int r = 0; r < 2; r++) {
            double ms = 0;
            for (int i = 0; i < 5; i++) {
                ms += x[r * 5 + i] * x[r * 5 + i] / 5.0;
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(x[r * 5 + i] / Math.sqrt(ms + 1e-6) * w[i], got[r * 5 + i], 1e-5);
            }
        }
    }

    @Test
    void matmulWithEachWeightDtype() {
        int tokens = 3;
        int in = 7;
        int out = 5;
        float[] x = random(tokens * in, 3);
        float[] w = random(out * in, 4);
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            DeviceBuffer wb = backend.allocate("w", dt, w.length);
            backend.write(wb, w);
            float[] stored = read(wb);
            DeviceBuffer y = backend.allocate("y", DType.F32, tokens * out);
            backend.matmul(f32("x", x), wb, y, tokens, in, out);
            float[] got = read(y);
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < out; o++) {
                    double exact = 0;
                    double rounded = 0;
                    for (int i = 0; i < in; i++) {
                        exact += x[t * in + i] * w[o * in + i];
                        rounded += x[t * in + i] * stored[o * in + i];
                    }
                    assertEquals(rounded, got[t * out + o], 1e-5, dt + " uses the rounded weights");
                    if (dt != DType.F32) {
                        assertNotEquals(exact, got[t * out + o], 1e-6, dt + " weights are rounded");
                    }
                }
            }
        }
    }

    @Test
    void ropeRotatesHalvesByPositionAngles() {
        int tokens = 2;
        int heads = 2;
        int d = 8;
        float theta = 10000f;
        float[] x = random(tokens * heads * d, 5);
        DeviceBuffer xb = f32("x", x);
        backend.rope(xb, i32("pos", new int[] {3, 17}), tokens, heads, d, theta);
        float[] got = read(xb);
        int[] pos = {3, 17};
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * d;
                for (int i = 0; i < d / 2; i++) {
                    double angle = pos[t] * Math.pow(theta, -2.0 * i / d);
                    // (a + ib) * e^{i angle}
                    double a = x[base + i];
                    double b = x[base + i + d / 2];
                    assertEquals(a * Math.cos(angle) - b * Math.sin(angle), got[base + i], 1e-5);
                    assertEquals(b * Math.cos(angle) + a * Math.sin(angle), got[base + i + d / 2], 1e-5);
                }
            }
        }
    }

    @Test
    void attentionIsCausalGroupedQueryOverTheCache() {
        int heads = 4;
        int kvHeads = 2;
        int d = 4;
        int capacity = 8;
        int prompt = 3;
        float[] q = random((prompt + 1) * heads * d, 6);
        float[] k = random((prompt + 1) * kvHeads * d, 7);
        float[] v = random((prompt + 1) * kvHeads * d, 8);
        DeviceBuffer kc = backend.allocate("kc", DType.F32, capacity * kvHeads * d);
        DeviceBuffer vc = backend.allocate("vc", DType.F32, capacity * kvHeads * d);
        DeviceBuffer out = backend.allocate("out", DType.F32, prompt * heads * d);
        // prefill of 3 tokens, then one decode token at position 3
        backend.attention(f32("q", slice(q, 0, prompt * heads * d)), f32("k", slice(k, 0, prompt * kvHeads * d)),
                f32("v", slice(v, 0, prompt * kvHeads * d)), kc, vc, out, prompt, 0, heads, kvHeads, d, capacity);
        float[] prefill = read(out);
        DeviceBuffer out1 = backend.allocate("out1", DType.F32, heads * d);
        backend.attention(f32("q1", slice(q, prompt * heads * d, heads * d)),
                f32("k1", slice(k, prompt * kvHeads * d, kvHeads * d)),
                f32("v1", slice(v, prompt * kvHeads * d, kvHeads * d)), kc, vc, out1, 1, prompt, heads, kvHeads, d,
                capacity);
        float[] decode = read(out1);
        for (int t = 0; t <= prompt; t++) {
            for (int h = 0; h < heads; h++) {
                int g = h / (heads / kvHeads);
                double[] s = new double[t + 1];
                double sum = 0;
                for (int j = 0; j <= t; j++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += q[(t * heads + h) * d + i] * k[(j * kvHeads + g) * d + i];
                    }
                    s[j] = Math.exp(dot / Math.sqrt(d));
                    sum += s[j];
                }
                for (int i = 0; i < d; i++) {
                    double acc = 0;
                    for (int j = 0; j <= t; j++) {
                        acc += s[j] / sum * v[(j * kvHeads + g) * d + i];
                    }
                    float got = t < prompt ? prefill[(t * heads + h) * d + i] : decode[h * d + i];
                    assertEquals(acc, got, 1e-5, "t=" + t + " h=" + h + " i=" + i);
                }
            }
        }
        assertArrayEquals(slice(k, 0, (prompt + 1) * kvHeads * d),
                backend.readFloats(kc, 0, (prompt + 1) * kvHeads * d), "cache rows hold k");
    }

    static float[] slice(float[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    @Test
    void addMayAliasAndSiluMulIsElementwise() {
        float[] a = {1, -2, 3};
        float[] b = {0.5f, 4, -1};
        DeviceBuffer ab = f32("a", a);
        backend.add(ab, f32("b", b), ab, 3);
        assertArrayEquals(new float[] {1.5f, 2, 2}, read(ab));
        DeviceBuffer out = backend.allocate("out", DType.F32, 3);
        backend.siluMul(f32("g", a), f32("u", b), out, 3);
        float[] got = read(out);
        for (int i = 0; i < 3; i++) {
            assertEquals(a[i] / (1 + Math.exp(-a[i])) * b[i], got[i], 1e-6);
        }
    }

    @Test
    void badArgumentsNameTheParameter() {
        DeviceBuffer x = backend.allocate("layer0.x", DType.F32, 10);
        DeviceBuffer w = backend.allocate("layer0.w", DType.F32, 12);
        DeviceBuffer y = backend.allocate("layer0.y", DType.F32, 6);
        DeviceBuffer ints = backend.allocate("ids", DType.I32, 6);
        String m = message(() -> backend.matmul(x, w, y, 3, 4, 2));
        assertTrue(m.startsWith("x: buffer 'layer0.x' has 10 elements, needs 12"), m);
        m = message(() -> backend.matmul(x, w, y, 0, 4, 2));
        assertTrue(m.startsWith("tokens must be > 0"), m);
        m = message(() -> backend.matmul(ints, w, y, 1, 4, 2));
        assertTrue(m.startsWith("x: buffer 'ids' is I32, expected F32"), m);
        m = message(() -> backend.matmul(x, w, x, 1, 4, 2));
        assertTrue(m.startsWith("y must not be the same buffer as x"), m);
        m = message(() -> backend.readInts(x, 0, 1));
        assertTrue(m.startsWith("src: buffer 'layer0.x' is F32, expected I32"), m);
        m = message(() -> backend.routeTopk(x, ints, y, 1, 4, 5, true));
        assertTrue(m.startsWith("k must be in [1, experts=4]"), m);
        m = message(() -> backend.allocate("neg", DType.F32, -1));
        assertTrue(m.startsWith("length must be > 0"), m);
        DeviceMemoryException big = assertThrows(DeviceMemoryException.class,
                () -> backend.allocate("huge.weights", DType.BF16, 1L << 40));
        assertEquals("huge.weights", big.bufferName());
        assertEquals(2L << 40, big.requestedBytes());
        assertTrue(big.getMessage().contains("huge.weights"));
        x.close();
        m = message(() -> backend.fill(x, 1f));
        assertTrue(m.startsWith("dst: buffer 'layer0.x' is closed"), m);
    }

    @Test
    void heapExhaustionBecomesADeviceMemoryException() {
        long length = JavaBackend.MAX_ELEMENTS;
        // only where the array cannot fit, so that the JVM refuses it at once instead of filling the heap
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < length * Float.BYTES,
                "heap large enough to hold the test array");
        DeviceMemoryException e = assertThrows(DeviceMemoryException.class,
                () -> backend.allocate("layer7.experts.gate", DType.F32, length));
        assertEquals("layer7.experts.gate", e.bufferName());
        assertEquals(length * Float.BYTES, e.requestedBytes());
        assertTrue(e.getMessage().contains("Java heap"), e.getMessage());
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
