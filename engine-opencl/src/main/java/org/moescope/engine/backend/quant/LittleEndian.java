package org.moescope.engine.backend.quant;

import java.nio.ByteBuffer;
import org.moescope.engine.backend.Precision;

/** Block fields read and written by absolute byte index, little-endian whatever a buffer's own byte order. */
final class LittleEndian {
    private LittleEndian() {
    }

    static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    /** F16 at byte {@code at}, widened to F32. */
    static float f16(ByteBuffer b, int at) {
        return Precision.f16ToFloat((short) u16(b, at));
    }

    static void putU16(byte[] out, int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >> 8);
    }
}
