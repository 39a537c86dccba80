package org.moescope.engine.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.Precision;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}}), then the raw tensor data. The header is validated when the file is
 * opened; tensor data is memory-mapped region by region while uploading, so a checkpoint never passes through the
 * Java heap.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header we accept; real headers are a few MB at most. */
    private static final long MAX_HEADER_BYTES = 256L << 20;
    /** Upload in mapped regions of at most this many bytes (a MappedByteBuffer holds < 2 GiB). */
    static final long MAX_REGION_BYTES = 1L << 30;

    /**
     * @param begin absolute byte offset in the file
     * @param end   absolute end offset (exclusive)
     */
    public record Tensor(String name, DType dtype, long[] shape, Path file, long begin, long end) {
        public long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        public long bytes() {
            return end - begin;
        }

        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Tensor> tensors;
    private MappedByteBuffer window; // the mapped bytes [windowStart, windowStart + capacity) of the file
    private long windowStart;

    private final long regionBytes;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Tensor> tensors, long regionBytes) {
        this.regionBytes = regionBytes;
        this.path = path;
        this.channel = channel;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens and validates {@code path}; the channel stays open until {@link #close()}. */
    public static SafetensorsFile open(Path path) {
        return open(path, MAX_REGION_BYTES);
    }

    /** {@code regionBytes}: the mapping window and upload chunk size (small in tests, to cross region boundaries). */
    static SafetensorsFile open(Path path, long regionBytes) {
        if (regionBytes < 4 || regionBytes > MAX_REGION_BYTES) {
            throw new IllegalArgumentException("regionBytes must be in [4, " + MAX_REGION_BYTES + "], got " + regionBytes);
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new EngineException("cannot open " + path + ": " + e, e);
        }
        try {
            return new SafetensorsFile(path, channel, readHeader(path, channel), regionBytes);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static Map<String, Tensor> readHeader(Path path, FileChannel channel) {
        try {
            long size = channel.size();
            if (size < 8) {
                throw new EngineException(path + ": not a safetensors file (" + size + " bytes, no header length)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw new EngineException(path + ": malformed safetensors header: header length " + headerLength
                        + " does not fit the file (" + size + " bytes)");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLength);
            readFully(channel, header, 8);
            String json = new String(header.array(), StandardCharsets.UTF_8);
            long dataStart = 8 + headerLength;
            return parseHeader(path, json, dataStart, size - dataStart);
        } catch (IOException e) {
            throw new EngineException("cannot read " + path + ": " + e, e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = channel.read(dst, position + dst.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static Map<String, Tensor> parseHeader(Path path, String json, long dataStart, long dataBytes) {
        JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new EngineException(path + ": malformed safetensors header (not a JSON object): " + e.getMessage(), e);
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
            String name = entry.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            out.put(name, parseTensor(path, name, entry.getValue(), dataStart, dataBytes));
        }
        return out;
    }

    private static Tensor parseTensor(Path path, String name, JsonElement element, long dataStart, long dataBytes) {
        String where = path + ": tensor '" + name + "'";
        long[] shape;
        long begin;
        long end;
        String dtypeName;
        try {
            JsonObject t = element.getAsJsonObject();
            dtypeName = t.get("dtype").getAsString();
            JsonArray s = t.getAsJsonArray("shape");
            shape = new long[s.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = s.get(i).getAsLong();
                if (shape[i] < 0) {
                    throw new EngineException(where + ": negative dimension in shape " + s);
                }
            }
            JsonArray offsets = t.getAsJsonArray("data_offsets");
            if (offsets.size() != 2) {
                throw new EngineException(where + ": data_offsets must have 2 entries, got " + offsets);
            }
            begin = offsets.get(0).getAsLong();
            end = offsets.get(1).getAsLong();
        } catch (NullPointerException | IllegalStateException | ClassCastException | NumberFormatException
                 | UnsupportedOperationException e) {
            throw new EngineException(where + ": malformed header entry " + element + " (" + e.getMessage() + ")", e);
        }
        DType dtype = weightDtype(dtypeName, where);
        if (begin < 0 || end < begin) {
            throw new EngineException(where + ": invalid data_offsets [" + begin + ", " + end + "]");
        }
        if (end > dataBytes) {
            throw new EngineException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the data ("
                    + dataBytes + " bytes): the file is truncated or corrupt");
        }
        Tensor tensor = new Tensor(name, dtype, shape, path, dataStart + begin, dataStart + end);
        long elements = 1;
        try {
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException e) {
            // [2^32, 2^32] would wrap to 0 elements and match empty data_offsets
            throw new EngineException(where + ": shape " + tensor.shapeString() + " has more elements than a tensor can hold");
        }
        if (tensor.elements() * dtype.bytes() != end - begin) {
            throw new EngineException(where + ": " + (end - begin) + " data bytes do not match shape "
                    + tensor.shapeString() + " of " + dtype + " (" + tensor.elements() * dtype.bytes() + " bytes)");
        }
        return tensor;
    }

    /** Safetensors dtype names ("BF16", "F16", "F32") to a weight type; anything else is refused by name. */
    private static DType weightDtype(String name, String where) {
        return switch (name) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default -> throw new EngineException(where + ": unsupported dtype " + name + " (supported: F32, F16, BF16)");
        };
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /**
     * Uploads {@code tensor} to {@code dst} starting at element {@code dstOffset}, one mapped region at a time.
     * When the dtypes differ (a stacked buffer widened to F32, see {@link CheckpointLoader}) each region is converted
     * on the host, one region at a time.
     */
    public void upload(Tensor tensor, Backend backend, DeviceBuffer dst, long dstOffset) {
        upload(tensor, 0, tensor.elements(), backend, dst, dstOffset);
    }

    /** Uploads elements [srcOffset, srcOffset + count) of {@code tensor} (a slice of a fused tensor). */
    public void upload(Tensor tensor, long srcOffset, long count, Backend backend, DeviceBuffer dst, long dstOffset) {
        if (srcOffset < 0 || count < 0 || srcOffset + count > tensor.elements()) {
            throw new IllegalArgumentException("slice [" + srcOffset + ", " + (srcOffset + count) + ") is outside tensor '"
                    + tensor.name() + "' of " + tensor.elements() + " elements");
        }
        int elementBytes = tensor.dtype().bytes();
        boolean convert = tensor.dtype() != dst.dtype();
        long chunk = convert ? Math.min(CONVERT_REGION_ELEMENTS * elementBytes, regionBytes) : regionBytes;
        chunk -= chunk % elementBytes;
        long begin = tensor.begin() + srcOffset * elementBytes;
        long end = begin + count * elementBytes;
        try {
            for (long at = begin; at < end; at += chunk) {
                long length = Math.min(chunk, end - at);
                ByteBuffer region = region(at, length);
                long offset = dstOffset + (at - begin) / elementBytes;
                backend.upload(dst, offset, convert ? convert(region, tensor.dtype(), dst.dtype()) : region);
            }
        } catch (IOException e) {
            throw new EngineException("cannot read tensor '" + tensor.name() + "' from " + path + ": " + e, e);
        }
    }

    /**
     * The bytes [at, at + length) of the file as a slice of the current mapped window, mapping a new window of up to
     * {@link #MAX_REGION_BYTES} when they lie outside it. Windows keep the number of live mappings small (one per
     * GiB rather than one per tensor: a 30B checkpoint has ~19,000 expert tensors, near Linux's default
     * vm.max_map_count) and are released by the garbage collector once replaced.
     */
    private ByteBuffer region(long at, long length) throws IOException {
        if (window == null || at < windowStart || at + length > windowStart + window.capacity()) {
            long size = Math.max(length, Math.min(regionBytes, channel.size() - at));
            window = channel.map(FileChannel.MapMode.READ_ONLY, at, size);
            windowStart = at;
        }
        return window.slice((int) (at - windowStart), (int) length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Elements converted per host region. */
    private static final long CONVERT_REGION_ELEMENTS = 1L << 20;

    private static ByteBuffer convert(ByteBuffer src, DType from, DType to) {
        int n = src.remaining() / from.bytes();
        ByteBuffer out = ByteBuffer.allocateDirect(n * to.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = switch (from) {
                case F32 -> src.getFloat();
                case F16 -> Precision.f16ToFloat(src.getShort());
                case BF16 -> Precision.bf16ToFloat(src.getShort());
                default -> throw new IllegalArgumentException(from + " is not a safetensors float type");
            };
            switch (to) {
                case F32 -> out.putFloat(v);
                case F16 -> out.putShort(Precision.floatToF16(v));
                case BF16 -> out.putShort(Precision.floatToBf16(v));
                default -> throw new IllegalArgumentException(to + " is not a safetensors float type");
            }
        }
        return out.flip();
    }

    @Override
    public void close() {
        window = null;
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to release beyond the descriptor
        }
    }
}
