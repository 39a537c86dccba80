package org.moescope.engine.model.gguf;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.moescope.engine.backend.EngineException;

/**
 * Reads a GGUF header little-endian from a memory-mapped file, one mapped window at a time (a header holds a whole
 * vocabulary, and the file may be far larger than one MappedByteBuffer can hold). Every read first checks that the
 * file still has the bytes, so a truncated file gives an EngineException that names the section being read.
 */
final class GgufCursor {

    /** Bytes mapped at a time while reading the header. */
    private static final long WINDOW_BYTES = 64L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private MappedByteBuffer window;
    private long windowStart;
    private long position;
    /** What is being read, for errors: "the header", "metadata key 3 ('general.name')", ... */
    private String section = "the header";

    GgufCursor(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    void section(String what) {
        this.section = what;
    }

    String section() {
        return section;
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    Path path() {
        return path;
    }

    /** Moves to {@code to}, which must lie within the file. */
    void seek(long to) {
        if (to > size) {
            throw truncated(to - position);
        }
        position = to;
    }

    /** An error about the file, naming it and the section being read. */
    EngineException error(String message) {
        return new EngineException(path + ": " + section + ": " + message);
    }

    private EngineException truncated(long needed) {
        return new EngineException(path + ": the file is truncated: " + section + " needs " + needed
                + " byte(s) at offset " + position + ", but the file ends at " + size);
    }

    /** Maps [position, position + count) into the window when it is not already there. */
    private void need(long count) {
        if (count > remaining()) {
            throw truncated(count);
        }
        if (window != null && position >= windowStart && position + count <= windowStart + window.capacity()) {
            return;
        }
        long length = Math.max(count, Math.min(WINDOW_BYTES, remaining()));
        try {
            window = channel.map(FileChannel.MapMode.READ_ONLY, position, length);
        } catch (IOException e) {
            throw new EngineException("cannot read " + path + ": " + e, e);
        }
        window.order(ByteOrder.LITTLE_ENDIAN);
        windowStart = position;
    }

    private int at(long count) {
        need(count);
        int index = (int) (position - windowStart);
        position += count;
        return index;
    }

    int u8() {
        int index = at(1);
        return window.get(index) & 0xff;
    }

    short i16() {
        int index = at(2);
        return window.getShort(index);
    }

    int i32() {
        int index = at(4);
        return window.getInt(index);
    }

    /** An unsigned 32-bit value. */
    long u32() {
        return Integer.toUnsignedLong(i32());
    }

    long i64() {
        int index = at(8);
        return window.getLong(index);
    }

    float f32() {
        int index = at(4);
        return window.getFloat(index);
    }

    double f64() {
        int index = at(8);
        return window.getDouble(index);
    }

    /** A u64 length followed by that many bytes of UTF-8. */
    String string() {
        long length = i64();
        if (length < 0 || length > remaining()) {
            throw error("the file is truncated or corrupt: a string claims " + Long.toUnsignedString(length)
                    + " bytes, but only " + remaining() + " remain in the file");
        }
        if (length > Integer.MAX_VALUE - 8) {
            throw error("a string of " + length + " bytes is longer than MoEScope can hold");
        }
        byte[] bytes = new byte[(int) length];
        int index = at(length);
        window.get(index, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
