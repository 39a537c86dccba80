package org.moescope.engine.backend.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;

/**
 * The reference quantizers: the bytes ggml's own quantize_row_*_ref made of fixed inputs (test resource README), exact
 * bytes where ggml's rounding is simple enough to work out by hand, and quantize-then-dequantize error bounds from
 * each type's quantization step on random data.
 */
class BlockQuantizerTest {

    static byte[] quantize(DType type, float[] x) {
        byte[] out = new byte[type.blockBytes()];
        BlockQuantizer.quantizeBlock(type, x, 0, out);
        return out;
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void q8_0RoundsHalfAwayFromZero() {
        float[] x = new float[32];
        x[0] = 127f; // amax: d = 1, 1/d = 1
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = -0.5f;
        x[4] = 0.49f;
        x[5] = -126.6f;
        byte[] expected = new byte[34];
        expected[1] = 0x3C; // F16 1.0 little-endian
        System.arraycopy(bytes(127, 3, -3, -1, 0, -127), 0, expected, 2, 6);
        assertArrayEquals(expected, quantize(DType.Q8_0, x));
    }

    @Test
    void q4_0MapsTheLargestMagnitudeToLevelZero() {
        float[] x = new float[32];
        x[0] = -8f; // d = -8 / -8 = 1
        x[1] = 7f; // trunc(7 + 8.5) = 15
        x[2] = 0.5f; // 9
        x[3] = -0.5f; // 8
        x[4] = -0.6f; // trunc(7.9) = 7
        x[16] = 7.6f; // trunc(16.1) clamped to 15
        x[17] = -7.9f; // trunc(0.6) = 0
        byte[] expected = new byte[18];
        expected[1] = 0x3C;
        int[] lo = {0, 15, 9, 8, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
        int[] hi = {15, 0, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
        for (int j = 0; j < 16; j++) {
            expected[2 + j] = (byte) (lo[j] | hi[j] << 4);
        }
        assertArrayEquals(expected, quantize(DType.Q4_0, x));

        float[] positive = new float[32];
        positive[0] = 8f; // d = -1: F16 0xBC00
        positive[1] = -7f; // trunc(7 + 8.5) = 15
        byte[] q = quantize(DType.Q4_0, positive);
        assertArrayEquals(bytes(0x00, 0xBC, 0x80 | 0, 0x80 | 15), java.util.Arrays.copyOf(q, 4));
    }

    @Test
    void q5_0PacksFifthBits() {
        float[] x = new float[32];
        x[0] = -16f; // d = 1, level 0
        x[1] = 15f; // 31
        x[16] = 3f; // 19
        byte[] expected = new byte[22];
        expected[1] = 0x3C;
        // every level but element 0's has its fifth bit (zeros map to 16)
        expected[2] = (byte) 0xFE;
        expected[3] = (byte) 0xFF;
        expected[4] = (byte) 0xFF;
        expected[5] = (byte) 0xFF;
        expected[6] = 0x30; // element 0: nibble 0, element 16: 19 & 15 = 3
        expected[7] = 0x0F; // element 1: 31 & 15, element 17: 16 & 15
        assertArrayEquals(expected, quantize(DType.Q5_0, x));
    }

    @Test
    void zeroBlocksAsGgmlWritesThem() {
        float[] zeros = new float[256];
        assertArrayEquals(new byte[34], quantize(DType.Q8_0, zeros));
        // Q4_0/Q5_0: d = 0 / -8 is -0 (F16 0x8000) and zeros sit at level 8 (16)
        byte[] q4 = new byte[18];
        q4[1] = (byte) 0x80;
        java.util.Arrays.fill(q4, 2, 18, (byte) 0x88);
        assertArrayEquals(q4, quantize(DType.Q4_0, zeros));
        byte[] q5 = new byte[22];
        q5[1] = (byte) 0x80;
        java.util.Arrays.fill(q5, 2, 6, (byte) 0xFF);
        assertArrayEquals(q5, quantize(DType.Q5_0, zeros));
        assertArrayEquals(new byte[144], quantize(DType.Q4_K, zeros));
        assertArrayEquals(new byte[176], quantize(DType.Q5_K, zeros));
        assertArrayEquals(new byte[210], quantize(DType.Q6_K, zeros));
    }

    /**
     * Bounds from the step: Q8_0 rounds to within d/2; Q4_0 and Q5_0 may clamp the side opposite the largest
     * magnitude by one step d; each gains |level| * |d - f16(d)| &lt;= |level| * d * 2^-11 from the F16 scale.
     */
    @Test
    void legacyTypesStayWithinTheirStep() {
        checkStep(DType.Q8_0, 127, 0.5 + 128 * 0x1p-11);
        checkStep(DType.Q4_0, 8, 1.0 + 8 * 0x1p-11);
        checkStep(DType.Q5_0, 16, 1.0 + 16 * 0x1p-11);
    }

    private static void checkStep(DType type, int levels, double steps) {
        float[] x = gaussian(32 * 64, 11);
        float[] y = roundTrip(type, x);
        for (int b = 0; b < 64; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[32 * b + j]));
            }
            double bound = steps * amax / levels * (1 + 1e-6);
            for (int j = 0; j < 32; j++) {
                double err = Math.abs(x[32 * b + j] - y[32 * b + j]);
                assertTrue(err <= bound, type + " block " + b + " element " + j + ": error " + err + " > " + bound);
            }
        }
    }

    /**
     * K-quants: within each sub-block (32 for Q4_K/Q5_K, 16 for Q6_K) the error stays below one step of a uniform
     * grid over the sub-block's own range (range / nmax), which the fitted scale and min beat by design; and the
     * RMS error is below that step's uniform-rounding RMS times 2.
     */
    @Test
    void kQuantsStayWithinASubBlockStep() {
        checkSubBlocks(DType.Q4_K, 32, 15);
        checkSubBlocks(DType.Q5_K, 32, 31);
        checkSubBlocks(DType.Q6_K, 16, 63);
    }

    private static void checkSubBlocks(DType type, int group, int nmax) {
        float[] x = gaussian(256 * 16, 12);
        float[] y = roundTrip(type, x);
        for (int g = 0; g < x.length / group; g++) {
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < group; j++) {
                min = Math.min(min, x[g * group + j]);
                max = Math.max(max, x[g * group + j]);
            }
            double step = (max - Math.min(0, min)) / nmax;
            double sq = 0;
            for (int j = 0; j < group; j++) {
                double err = Math.abs(x[g * group + j] - y[g * group + j]);
                sq += err * err;
                assertTrue(err <= 1.5 * step, type + " group " + g + ": error " + err + " > 1.5 step " + step);
            }
            double rms = Math.sqrt(sq / group);
            assertTrue(rms <= 2 * step / Math.sqrt(12), type + " group " + g + ": rms " + rms + " vs step " + step);
        }
    }

    static float[] roundTrip(DType type, float[] x) {
        ByteBuffer q = ByteBuffer.allocate((int) type.bytesOf(x.length));
        BlockQuantizer.quantize(type, x, 0, x.length, q, 0);
        float[] y = new float[x.length];
        BlockDequantizer.dequantize(type, q, y, 0, x.length);
        return y;
    }

    static float[] gaussian(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 0.05);
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void sameBytesAsGgmlsReferenceQuantizer(DType type) throws IOException {
        byte[] input = resource("ggml-ref-input.f32");
        float[] x = new float[input.length / 4];
        ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        byte[] want = resource("ggml-ref-" + type + ".bin");
        ByteBuffer got = ByteBuffer.allocate(want.length);
        BlockQuantizer.quantize(type, x, 0, x.length, got, 0);
        for (int i = 0; i < want.length; i++) {
            if (want[i] != got.get(i)) {
                int block = i / type.blockBytes();
                throw new AssertionError(type + ": byte " + i + " (block " + block + ", offset "
                        + (i - block * type.blockBytes()) + ") is " + got.get(i) + ", ggml wrote " + want[i]);
            }
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BlockQuantizerTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }
}
