package org.moescope.engine.backend.quant;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.SyntheticRandom;

/**
 * The definition of {@code Backend.fillRandom} for a quantized buffer: valid blocks whose weights spread over about
 * {@code [-scale, scale]}, deterministic from {@link SyntheticRandom#hash} and built with integer operations only, so
 * that a kernel reproduces them byte for byte from the two F16 bit patterns {@link #scaleBits} computes on the host.
 *
 * <p>Definition, for the block at byte offset {@code B} of the buffer (block index times {@link DType#blockBytes()}):
 * <ol>
 *   <li>Every byte starts random: byte {@code j} of the buffer is byte {@code j & 3} (little-endian) of
 *       {@code hash(j >>> 2, seed)}.</li>
 *   <li>{@code r} = (the random byte at the block's {@code d} field) {@code & 0x3f}; the block's {@code d} (and
 *       {@code dmin}) F16 bit patterns are {@code vary(bits, r) = bits > 0x3f ? bits - r : bits} of the host's
 *       {@link #scaleBits} values: a per-block scale up to 64 F16 steps below the base (bit patterns of non-negative
 *       F16 values order like their values).</li>
 *   <li>Q8_0, Q4_0, Q5_0: quants stay random; base d = |scale| / 127, / 8, / 16.</li>
 *   <li>Q4_K, Q5_K: sub-block j's 6-bit scale is {@code s = 32 | (v & 31)} with {@code v} the random byte at
 *       {@code scales[j]} (j &lt; 8), its 6-bit min is the same {@code s}, packed into the 12 bytes as ggml does;
 *       base d = |scale| / (8 * 63) (Q4_K) or / (16 * 63) (Q5_K) and base dmin = 8 d (Q4_K) or 16 d (Q5_K), so a
 *       weight is {@code d * s * (q - 8)} (or {@code q - 16}): centred, within [-scale, scale].</li>
 *   <li>Q6_K: 16-element group i's int8 scale is {@code (32 | (v & 31))}, negated when bit 7 of {@code v} is set,
 *       with {@code v} the random byte at {@code scales[i]}; base d = |scale| / (32 * 63).</li>
 * </ol>
 */
public final class RandomBlocks {
    private RandomBlocks() {
    }

    /**
     * The base F16 bit patterns of a buffer's scales, from the host: {@code [d, dmin]} (dmin 0 for types without
     * mins). A kernel receives these two integers and needs no float arithmetic.
     */
    public static int[] scaleBits(DType type, float scale) {
        BlockDequantizer.requireQuantized(type);
        float a = Math.abs(scale);
        float d = switch (type) {
            case Q8_0 -> a / 127f;
            case Q4_0 -> a / 8f;
            case Q5_0 -> a / 16f;
            case Q4_K -> a / (8f * 63f);
            case Q5_K -> a / (16f * 63f);
            case Q6_K -> a / (32f * 63f);
            default -> throw new IllegalArgumentException(type.toString());
        };
        short dBits = Float.floatToFloat16(d);
        float dStored = Float.float16ToFloat(dBits);
        int dmin = switch (type) {
            case Q4_K -> Float.floatToFloat16(8f * dStored) & 0xffff;
            case Q5_K -> Float.floatToFloat16(16f * dStored) & 0xffff;
            default -> 0;
        };
        return new int[] {dBits & 0xffff, dmin};
    }

    /** Fills {@code blocks} whole blocks of {@code type} into {@code dst} from byte 0, the buffer's first block. */
    public static void fill(DType type, ByteBuffer dst, long blocks, long seed, float scale) {
        int[] bits = scaleBits(type, scale);
        byte[] block = new byte[type.blockBytes()];
        for (long i = 0; i < blocks; i++) {
            block(type, i, seed, bits[0], bits[1], block);
            dst.put(Math.toIntExact(i * type.blockBytes()), block);
        }
    }

    /** Block {@code index} of a randomly filled buffer, into {@code out} ({@link DType#blockBytes()} bytes). */
    public static void block(DType type, long index, long seed, int dBits, int dminBits, byte[] out) {
        long first = index * type.blockBytes();
        for (int k = 0; k < out.length; k++) {
            long j = first + k;
            out[k] = (byte) (SyntheticRandom.hash(j >>> 2, seed) >>> (8 * (int) (j & 3)));
        }
        int dAt = type == DType.Q6_K ? 208 : 0;
        int r = out[dAt] & 0x3f;
        LittleEndian.putU16(out, dAt, vary(dBits, r));
        switch (type) {
            case Q4_K, Q5_K -> {
                LittleEndian.putU16(out, 2, vary(dminBits, r));
                int[] s = new int[8];
                for (int j = 0; j < 8; j++) {
                    s[j] = 32 | (out[4 + j] & 31);
                }
                KScales.pack(s, s, out, 4);
            }
            case Q6_K -> {
                for (int i = 0; i < 16; i++) {
                    int v = out[192 + i];
                    int mag = 32 | (v & 31);
                    out[192 + i] = (byte) ((v & 0x80) != 0 ? -mag : mag);
                }
            }
            default -> {
                // Q8_0, Q4_0, Q5_0: random quants under the varied d
            }
        }
    }

    static int vary(int bits, int r) {
        return bits > 0x3f ? bits - r : bits;
    }
}
