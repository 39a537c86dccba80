package org.moescope.engine.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;

/**
 * Writes a GGUF file as ggml's {@code gguf_write_to_file} does: header, metadata, tensor table, padding to the
 * alignment, then each tensor's data padded to the alignment, in the order they were added. Tensor data is streamed
 * from its source when the file is written, so a large model need not be held in memory.
 */
public final class GgufWriter {

    /** Writes a tensor's stored bytes (exactly {@code bytes} of them) to {@code out}. */
    @FunctionalInterface
    public interface TensorData {
        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Entry(String name, long[] ne, int ggmlType, long bytes, TensorData data) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Entry> tensors = new ArrayList<>();
    private int version = 3;
    private long alignment = GgufHeader.DEFAULT_ALIGNMENT;

    /** GGUF 2 or 3 (the same layout; 3 is what ggml writes). */
    public GgufWriter version(int v) {
        if (v != 2 && v != 3) {
            throw new IllegalArgumentException("GGUF version must be 2 or 3, got " + v);
        }
        this.version = v;
        return this;
    }

    /** Data alignment, a power of 2; written as {@code general.alignment} when it is not the default 32. */
    public GgufWriter alignment(long a) {
        if (a <= 0 || (a & (a - 1)) != 0 || a > 0xffffffffL) {
            throw new IllegalArgumentException("alignment must be a power of 2, got " + a);
        }
        this.alignment = a;
        if (a == GgufHeader.DEFAULT_ALIGNMENT) {
            metadata.remove(GgufHeader.ALIGNMENT_KEY);
        } else {
            metadata.put(GgufHeader.ALIGNMENT_KEY, GgufValue.uint32(a));
        }
        return this;
    }

    /** Sets {@code key} (replacing an earlier value, keeping its place). */
    public GgufWriter put(String key, GgufValue value) {
        if (key.isEmpty()) {
            throw new IllegalArgumentException("a GGUF key must not be empty");
        }
        metadata.put(key, value);
        return this;
    }

    /** A tensor of {@code dtype} with ggml dims {@code ne} (innermost first) and its stored bytes. */
    public GgufWriter addTensor(String name, DType dtype, long[] ne, ByteBuffer data) {
        long bytes = dtype.bytesOf(elements(ne));
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "': " + dtype + " ne=" + java.util.Arrays.toString(ne)
                    + " takes " + bytes + " bytes, got " + data.remaining());
        }
        ByteBuffer copy = data.duplicate();
        return addTensor(name, dtype, ne, out -> writeFully(out, copy.duplicate()));
    }

    /** A tensor whose bytes {@code data} writes when the file is written. */
    public GgufWriter addTensor(String name, DType dtype, long[] ne, TensorData data) {
        if (ne.length > 0 && ne[0] % dtype.blockElements() != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + ne[0] + " are not whole " + dtype + " blocks");
        }
        return addRawTensor(name, GgmlType.idOf(dtype), ne, dtype.bytesOf(elements(ne)), data);
    }

    /** A tensor with any ggml type id and byte count, unchecked (for tests of files MoEScope must refuse). */
    public GgufWriter addRawTensor(String name, int ggmlType, long[] ne, long bytes, TensorData data) {
        for (Entry e : tensors) {
            if (e.name().equals(name)) {
                throw new IllegalArgumentException("tensor '" + name + "' was added twice");
            }
        }
        tensors.add(new Entry(name, ne.clone(), ggmlType, bytes, data));
        return this;
    }

    public void write(Path path) {
        try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Bytes header = new Bytes();
            header.i32(GgufHeader.MAGIC).i32(version).i64(tensors.size()).i64(metadata.size());
            for (Map.Entry<String, GgufValue> kv : metadata.entrySet()) {
                header.string(kv.getKey()).i32(kv.getValue().type().id());
                value(header, kv.getValue().type(), kv.getValue().value());
            }
            long offset = 0;
            for (Entry t : tensors) {
                header.string(t.name()).i32(t.ne().length);
                for (long d : t.ne()) {
                    header.i64(d);
                }
                header.i32(t.ggmlType()).i64(offset);
                offset = GgufHeader.align(offset + t.bytes(), alignment);
            }
            header.pad(alignment);
            writeFully(out, header.buffer());
            for (Entry t : tensors) {
                long start = out.position();
                t.data().writeTo(out);
                if (out.position() - start != t.bytes()) {
                    throw new EngineException("tensor '" + t.name() + "' wrote " + (out.position() - start)
                            + " bytes, expected " + t.bytes());
                }
                long padded = GgufHeader.align(out.position(), alignment);
                writeFully(out, ByteBuffer.allocate((int) (padded - out.position())));
            }
        } catch (IOException e) {
            throw new EngineException("cannot write " + path + ": " + e, e);
        }
    }

    private static void value(Bytes out, GgufValueType type, Object v) {
        switch (type) {
            case UINT8, INT8 -> out.i8((Long) v);
            case UINT16, INT16 -> out.i16((Long) v);
            case UINT32, INT32 -> out.i32((int) (long) (Long) v);
            case UINT64, INT64 -> out.i64((Long) v);
            case FLOAT32 -> out.f32((Float) v);
            case FLOAT64 -> out.f64((Double) v);
            case BOOL -> out.i8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> {
                GgufArray a = (GgufArray) v;
                out.i32(a.elementType().id()).i64(a.size());
                for (Object item : a.items()) {
                    value(out, a.elementType(), item);
                }
            }
        }
    }

    private static long elements(long[] ne) {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            out.write(src);
        }
    }

    /** A growing little-endian byte buffer for the header. */
    private static final class Bytes {
        private ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void room(int n) {
            if (b.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(b.capacity() * 2, b.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                bigger.put(b.flip());
                b = bigger;
            }
        }

        Bytes i8(long v) {
            room(1);
            b.put((byte) v);
            return this;
        }

        Bytes i16(long v) {
            room(2);
            b.putShort((short) v);
            return this;
        }

        Bytes i32(int v) {
            room(4);
            b.putInt(v);
            return this;
        }

        Bytes i64(long v) {
            room(8);
            b.putLong(v);
            return this;
        }

        Bytes f32(float v) {
            room(4);
            b.putFloat(v);
            return this;
        }

        Bytes f64(double v) {
            room(8);
            b.putDouble(v);
            return this;
        }

        Bytes string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            room(bytes.length);
            b.put(bytes);
            return this;
        }

        void pad(long alignment) {
            long padded = GgufHeader.align(b.position(), alignment);
            room((int) (padded - b.position()));
            while (b.position() < padded) {
                b.put((byte) 0);
            }
        }

        ByteBuffer buffer() {
            return b.duplicate().flip();
        }
    }
}
