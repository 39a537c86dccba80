package org.moescope.engine.backend.quant;

import static org.moescope.engine.backend.quant.LittleEndian.u8;

import java.nio.ByteBuffer;

/**
 * The 12 bytes that hold the eight 6-bit scales and mins of a Q4_K or Q5_K block (ggml's {@code get_scale_min_k4}
 * layout): sub-blocks 0..3 keep theirs in the low 6 bits of bytes j (scale) and j + 4 (min); sub-blocks 4..7 in the
 * nibbles of byte j + 4 (scale low, min high), with their top 2 bits in the top bits of bytes j - 4 (scale) and j (min).
 */
public final class KScales {
    private KScales() {
    }

    /** The 6-bit scale of sub-block {@code j} (0..7) of the 12 bytes at {@code at}. */
    public static int scale(ByteBuffer b, int at, int j) {
        return j < 4 ? u8(b, at + j) & 63 : (u8(b, at + j + 4) & 0x0f) | (u8(b, at + j - 4) >> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j} (0..7) of the 12 bytes at {@code at}. */
    public static int min(ByteBuffer b, int at, int j) {
        return j < 4 ? u8(b, at + j + 4) & 63 : (u8(b, at + j + 4) >> 4) | (u8(b, at + j) >> 6) << 4;
    }

    /** Packs 8 six-bit scales and mins (each 0..63) into the 12 bytes at {@code out[at ..]}. */
    public static void pack(int[] scales, int[] mins, byte[] out, int at) {
        for (int k = 0; k < 12; k++) {
            out[at + k] = 0;
        }
        for (int j = 0; j < 8; j++) {
            int ls = scales[j];
            int lm = mins[j];
            if (j < 4) {
                out[at + j] = (byte) ls;
                out[at + j + 4] = (byte) lm;
            } else {
                out[at + j + 4] = (byte) ((ls & 0x0f) | (lm & 0x0f) << 4);
                out[at + j - 4] |= (byte) ((ls >> 4) << 6);
                out[at + j] |= (byte) ((lm >> 4) << 6);
            }
        }
    }
}
