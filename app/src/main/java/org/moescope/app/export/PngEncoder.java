package org.moescope.app.export;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * A minimal PNG writer (8-bit RGBA, no interlace, "Sub" filter per row) over java.util.zip, so chart snapshots need
 * neither javafx-swing nor AWT.
 */
public final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private PngEncoder() {
    }

    /** PNG bytes of a {@code width × height} image given as ARGB ints, row-major ({@code [height * width]}). */
    public static byte[] encode(int[] argb, int width, int height) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            write(argb, width, height, bytes);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory PNG encoding failed", e);
        }
        return bytes.toByteArray();
    }

    public static void write(int[] argb, int width, int height, OutputStream out) throws IOException {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be > 0, got " + width + " x " + height);
        }
        if (argb.length != width * height) {
            throw new IllegalArgumentException("argb must hold width*height = " + width * height + " pixels, got " + argb.length);
        }
        out.write(SIGNATURE);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.writeByte(8);  // bit depth
        h.writeByte(6);  // colour type RGBA
        h.writeByte(0);  // deflate
        h.writeByte(0);  // adaptive filtering
        h.writeByte(0);  // no interlace
        chunk(out, "IHDR", ihdr.toByteArray());

        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[1 + width * 4];
            for (int y = 0; y < height; y++) {
                row[0] = 1; // Sub: each byte minus the same channel of the pixel to the left
                int prev = 0;
                for (int x = 0; x < width; x++) {
                    int p = argb[y * width + x];
                    int o = 1 + x * 4;
                    row[o] = (byte) (((p >>> 16) & 0xff) - ((prev >>> 16) & 0xff));
                    row[o + 1] = (byte) (((p >>> 8) & 0xff) - ((prev >>> 8) & 0xff));
                    row[o + 2] = (byte) ((p & 0xff) - (prev & 0xff));
                    row[o + 3] = (byte) (((p >>> 24) & 0xff) - ((prev >>> 24) & 0xff));
                    prev = p;
                }
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        out.flush();
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
