package org.moescope.engine.backend.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.moescope.engine.backend.DType;

/**
 * Each decoder on hand-made blocks: the expected values are the block formulas of ggml-common.h worked out by hand
 * here (F16 1.0 = 0x3C00, 0.5 = 0x3800, 2.0 = 0x4000, 0.25 = 0x3400, -1.0 = 0xBC00).
 */
class BlockDequantizerTest {

    static float[] decode(DType type, byte[] block) {
        float[] y = new float[type.blockElements()];
        BlockDequantizer.dequantize(type, ByteBuffer.wrap(block), y, 0, y.length);
        return y;
    }

    static void putF16(byte[] b, int at, int bits) {
        b[at] = (byte) bits;
        b[at + 1] = (byte) (bits >> 8);
    }

    /** Exact, sign of zero included. */
    static void assertBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                what + ": expected " + expected + ", got " + actual);
    }

    @Test
    void q8_0ExtremesAndSign() {
        byte[] b = new byte[34];
        putF16(b, 0, 0x3800); // d = 0.5
        b[2] = 127;
        b[3] = -128;
        b[4] = 1;
        b[5] = -1;
        b[33] = 100;
        float[] y = decode(DType.Q8_0, b);
        assertBits(63.5f, y[0], "q 127");
        assertBits(-64f, y[1], "q -128");
        assertBits(0.5f, y[2], "q 1");
        assertBits(-0.5f, y[3], "q -1");
        assertBits(0f, y[4], "q 0");
        assertBits(50f, y[31], "last element");
    }

    @Test
    void zeroScaleGivesSignedZeros() {
        byte[] b = new byte[34];
        b[2] = -5;
        b[3] = 7;
        float[] y = decode(DType.Q8_0, b);
        assertBits(-0f, y[0], "negative q times d = 0 is -0 as in C");
        assertBits(0f, y[1], "positive q times 0");
    }

    @Test
    void q4_0NibbleOrder() {
        byte[] b = new byte[18];
        putF16(b, 0, 0x4000); // d = 2
        b[2] = (byte) 0xF0; // element 0: nibble 0, element 16: nibble 15
        b[17] = 0x09; // element 15: nibble 9, element 31: nibble 0
        float[] y = decode(DType.Q4_0, b);
        assertBits(-16f, y[0], "nibble 0 -> (0 - 8) * 2");
        assertBits(14f, y[16], "nibble 15 -> (15 - 8) * 2");
        assertBits(2f, y[15], "nibble 9");
        assertBits(-16f, y[31], "high nibble 0 of the last byte");
        assertBits(-16f, y[1], "zero byte");
    }

    @Test
    void q5_0FifthBits() {
        byte[] b = new byte[22];
        putF16(b, 0, 0x3C00); // d = 1
        // qh little-endian u32: bit 0 (element 0), bit 16 (element 16), bit 31 (element 31)
        b[2] = 0x01;
        b[4] = 0x01;
        b[5] = (byte) 0x80;
        b[6] = (byte) 0xFF; // elements 0 and 16: nibble 15
        float[] y = decode(DType.Q5_0, b);
        assertBits(15f, y[0], "(15 | 16) - 16");
        assertBits(15f, y[16], "(15 | 16) - 16");
        assertBits(0f, y[31], "(0 | 16) - 16");
        assertBits(-16f, y[15], "no fifth bit, nibble 0");
        assertBits(-16f, y[1], "element 1: nibble 0, no fifth bit");
    }

    @Test
    void q4KScaleMinPackingAndNegativeMins() {
        byte[] b = new byte[144];
        putF16(b, 0, 0x3C00); // d = 1
        putF16(b, 2, 0x3800); // dmin = 0.5
        // sub-block 0: scale 63, min 63 (bytes 0 and 4, low 6 bits)
        b[4] = 63;
        b[8] = 63;
        // sub-block 1: scale 1, min 2 in the low bits of bytes 1 and 5; their top bits carry sub-block 5's high bits
        // sub-block 5: scale 53 = 0b11_0101, min 42 = 0b10_1010
        b[4 + 1] = (byte) (0xC0 | 1); // scale 5 high bits 0b11
        b[4 + 5] = (byte) (0x80 | 2); // min 5 high bits 0b10
        b[4 + 9] = (byte) (0x05 | 0xA0); // scale 5 low nibble 0101, min 5 low nibble 1010
        int qs = 16;
        b[qs] = (byte) 0xF0; // element 0 (sub 0): 0, element 32 (sub 1): 15
        b[qs + 64] = 0x7F; // element 128 (sub 4): 15, element 160 (sub 5): 7
        float[] y = decode(DType.Q4_K, b);
        assertBits(-31.5f, y[0], "1*63*0 - 0.5*63: a negative min");
        assertBits(14f, y[32], "1*1*15 - 0.5*2");
        assertBits(0f, y[128], "sub-block 4 has scale 0 and min 0");
        assertBits(350f, y[160], "1*53*7 - 0.5*42");
        assertBits(-0.5f * 42, y[161], "sub-block 5, level 0");
    }

    @Test
    void kScalesReadAllMaximal() {
        byte[] b = new byte[12];
        java.util.Arrays.fill(b, (byte) 0xFF);
        ByteBuffer buf = ByteBuffer.wrap(b);
        for (int j = 0; j < 8; j++) {
            assertEquals(63, KScales.scale(buf, 0, j), "scale " + j);
            assertEquals(63, KScales.min(buf, 0, j), "min " + j);
        }
    }

    @Test
    void q5KFifthBitsAndNegativeDmin() {
        byte[] b = new byte[176];
        putF16(b, 0, 0x3400); // d = 0.25
        putF16(b, 2, 0xBC00); // dmin = -1: the min term adds
        for (int j = 0; j < 4; j++) {
            b[4 + j] = 4;
            b[8 + j] = 1;
            b[12 + j] = 0x14; // sub-blocks 4..7: scale 4, min 1
        }
        int qh = 16;
        int qs = 48;
        b[qh + 3] = (byte) 0x84; // bit 2: chunk 1 low (element 64 + 3); bit 7: chunk 3 high (element 224 + 3)
        b[qs + 32 + 3] = 0x0F;
        float[] y = decode(DType.Q5_K, b);
        assertBits(32f, y[67], "0.25*4*(15 + 16) - (-1*1)");
        assertBits(1f, y[99], "0.25*4*0 + 1");
        assertBits(17f, y[227], "0.25*4*(0 + 16) + 1");
        assertBits(1f, y[3], "no fifth bit");
    }

    @Test
    void q6KBitsAndSignedScales() {
        byte[] b = new byte[210];
        putF16(b, 208, 0x3800); // d = 0.5
        b[0] = 0x0F; // element 0 low nibble 15, element 64 low nibble 0
        b[128] = (byte) 0xC3; // qh[0]: bits 0-1 = 3 (element 0), bits 6-7 = 3 (element 96)
        b[192] = -128; // scale of elements 0..15
        b[192 + 2] = 5; // elements 32..47
        b[192 + 4] = -3; // elements 64..79
        b[192 + 6] = 1; // elements 96..111
        b[64 + 32 + 16] = (byte) 0xF0; // second half, l = 16: q4 nibble 15
        b[192 + 15] = 127; // second half, scale of elements 128 + 96 + 16 ..
        float[] y = decode(DType.Q6_K, b);
        assertBits(0.5f * -128 * 31, y[0], "(15 | 48) - 32 = 31, scale -128");
        assertBits(0.5f * 5 * -32, y[32], "level 0 - 32");
        assertBits(0.5f * -3 * -32, y[64], "high nibble 0 of ql[0]");
        assertBits(0.5f * 1 * 16, y[96], "(0 | 48) - 32");
        assertBits(0.5f * 127 * -17, y[240], "15 - 32 in the second half, scale 127");
    }

    @Test
    void readsLittleEndianFromThePositionWithoutMovingIt() {
        byte[] raw = new byte[3 + 2 * 34];
        putF16(raw, 3 + 34, 0x4000); // second block: d = 2
        raw[3 + 34 + 2 + 5] = -3;
        ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.BIG_ENDIAN);
        buf.position(3);
        float[] y = new float[1 + 64];
        BlockDequantizer.dequantize(DType.Q8_0, buf, y, 1, 64);
        assertBits(-6f, y[1 + 32 + 5], "second block, element 5");
        assertEquals(3, buf.position());
    }

    @Test
    void rejectsPlainTypesAndPartialBlocks() {
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertThrows(IllegalArgumentException.class,
                () -> BlockDequantizer.dequantize(DType.F16, buf, new float[32], 0, 32));
        assertThrows(IllegalArgumentException.class,
                () -> BlockDequantizer.dequantize(DType.Q8_0, buf, new float[32], 0, 31));
    }
}
