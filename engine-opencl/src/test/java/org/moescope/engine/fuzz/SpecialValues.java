package org.moescope.engine.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/** Values that break parsers: zero, one, sign bits, all ones, powers of two just past int and address ranges. */
final class SpecialValues {
    private static final long[] VALUES = {
        0, 1, 2, 3, 7, 255, 0x7FFF, 0xFFFF, Integer.MAX_VALUE, 0x80000000L, 0xFFFFFFFFL, 1L << 32, (1L << 32) + 1,
        1L << 40, 1L << 48, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2, -32,
    };

    private SpecialValues() {
    }

    static long pick(Random r) {
        return r.nextInt(5) == 0 ? r.nextLong() : VALUES[r.nextInt(VALUES.length)];
    }

    /** {@code value} as {@code width} little-endian bytes (4 or 8; a 1- or 2-byte field takes the low bytes). */
    static byte[] littleEndian(long value, int width) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value);
        byte[] out = new byte[width];
        System.arraycopy(b.array(), 0, out, 0, width);
        return out;
    }

    /** A JSON number or value that is out of range for a size, id or count. */
    static String jsonNumber(Random r) {
        String[] texts = {"0", "-1", "1", "2147483647", "2147483648", "-2147483649", "4294967297", "9223372036854775807",
            "9223372036854775808", "1e308", "-1e308", "1e-320", "1.5", "-0.0", "3.0", "65536", "1048576", "99999999999999999999"};
        return texts[r.nextInt(texts.length)];
    }
}
