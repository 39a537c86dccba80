package org.moescope.engine.backend.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.SyntheticRandom;

/** The quantized fillRandom definition, checked field by field against its written rules. */
class RandomBlocksTest {
    private static final DType[] TYPES = {DType.Q8_0, DType.Q4_0, DType.Q5_0, DType.Q4_K, DType.Q5_K, DType.Q6_K};

    @Test
    void baseScalesAreTheDocumentedF16Patterns() {
        assertArrayEquals(new int[] {0x3C00, 0}, RandomBlocks.scaleBits(DType.Q8_0, 127f));
        assertArrayEquals(new int[] {0x3C00, 0}, RandomBlocks.scaleBits(DType.Q4_0, -8f));
        assertArrayEquals(new int[] {0x3C00, 0}, RandomBlocks.scaleBits(DType.Q5_0, 16f));
        assertArrayEquals(new int[] {0x3C00, 0x4800}, RandomBlocks.scaleBits(DType.Q4_K, 504f)); // dmin 8
        assertArrayEquals(new int[] {0x3C00, 0x4C00}, RandomBlocks.scaleBits(DType.Q5_K, 1008f)); // dmin 16
        assertArrayEquals(new int[] {0x3C00, 0}, RandomBlocks.scaleBits(DType.Q6_K, 2016f));
    }

    @Test
    void quantBytesAreHashBytesAndScalesFollowTheRules() {
        long seed = 0x1234_5678_9abcL;
        for (DType type : TYPES) {
            int blocks = 5;
            ByteBuffer buf = ByteBuffer.allocate(blocks * type.blockBytes());
            RandomBlocks.fill(type, buf, blocks, seed, 0.5f);
            int[] base = RandomBlocks.scaleBits(type, 0.5f);
            for (int b = 0; b < blocks; b++) {
                int at = b * type.blockBytes();
                int dAt = type == DType.Q6_K ? 208 : 0;
                int r = hashByte(at + dAt, seed) & 0x3f;
                assertEquals(base[0] - r, u16(buf, at + dAt), type + " block " + b + " d");
                // a quant byte is left as the hash made it: the last byte of every type's block is a quant byte
                // except Q6_K's (its d); Q6_K's first byte is a quant byte
                int quant = type == DType.Q6_K ? at : at + type.blockBytes() - 1;
                assertEquals((byte) hashByte(quant, seed), buf.get(quant), type + " block " + b + " quant byte");
                if (type == DType.Q4_K || type == DType.Q5_K) {
                    assertEquals(base[1] - r, u16(buf, at + 2), type + " block " + b + " dmin");
                    for (int j = 0; j < 8; j++) {
                        int s = KScales.scale(buf, at + 4, j);
                        int m = KScales.min(buf, at + 4, j);
                        assertEquals(32 | (hashByte(at + 4 + j, seed) & 31), s, type + " scale " + j);
                        assertEquals(s, m, type + " min " + j);
                    }
                }
                if (type == DType.Q6_K) {
                    for (int i = 0; i < 16; i++) {
                        int v = hashByte(at + 192 + i, seed);
                        int mag = 32 | (v & 31);
                        assertEquals((v & 0x80) != 0 ? -mag : mag, buf.get(at + 192 + i), "Q6_K scale " + i);
                    }
                }
            }
        }
    }

    @Test
    void weightsSpreadOverMinusScaleToScale() {
        float scale = 0.03f;
        for (DType type : TYPES) {
            int blocks = 4096 / type.blockElements() * 8;
            ByteBuffer buf = ByteBuffer.allocate(blocks * type.blockBytes());
            RandomBlocks.fill(type, buf, blocks, 7, scale);
            float[] w = new float[blocks * type.blockElements()];
            BlockDequantizer.dequantize(type, buf, w, 0, w.length);
            double sum = 0;
            double sq = 0;
            double amax = 0;
            for (float v : w) {
                sum += v;
                sq += (double) v * v;
                amax = Math.max(amax, Math.abs(v));
            }
            double mean = sum / w.length;
            double rms = Math.sqrt(sq / w.length);
            // Q8_0's level -128 reaches 128/127 of the scale
            assertTrue(amax <= scale * 128 / 127 * 1.001, type + ": max |w| " + amax);
            assertTrue(amax >= scale * 0.8, type + ": max |w| " + amax + " uses little of the range");
            assertTrue(Math.abs(mean) <= 0.1 * scale, type + ": mean " + mean);
            assertTrue(rms >= 0.2 * scale, type + ": rms " + rms);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() {
        ByteBuffer a = ByteBuffer.allocate(3 * 144);
        ByteBuffer b = ByteBuffer.allocate(3 * 144);
        ByteBuffer c = ByteBuffer.allocate(3 * 144);
        RandomBlocks.fill(DType.Q4_K, a, 3, 42, 1f);
        RandomBlocks.fill(DType.Q4_K, b, 3, 42, 1f);
        RandomBlocks.fill(DType.Q4_K, c, 3, 43, 1f);
        assertEquals(a, b);
        assertTrue(!a.equals(c));
    }

    private static int hashByte(long j, long seed) {
        return (SyntheticRandom.hash(j >>> 2, seed) >>> (8 * (int) (j & 3))) & 0xff;
    }

    private static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }
}
