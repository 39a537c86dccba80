package org.moescope.engine.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    private SafetensorsFile(Path path, FileChannel channel, Map<String, Tensor> tensors) {
        this.path = path;
        this.channel = channel;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens and validates {@code path}; the channel stays open until {@link #close()}. */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new EngineException("cannot open " + path + ": " + e, e);
        }
        try {
            return new SafetensorsFile(path, channel, readHeader(path, channel));
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
     * Uploads {@code tensor}'s bytes to {@code dst} starting at element {@code dstOffset}, one mapped region at a time.
     * The tensor's dtype must be {@code dst}'s.
     */
    public void upload(Tensor tensor, Backend backend, DeviceBuffer dst, long dstOffset) {
        if (tensor.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.dtype() + " but buffer '"
                    + dst.name() + "' is " + dst.dtype());
        }
        int elementBytes = tensor.dtype().bytes();
        long regionBytes = MAX_REGION_BYTES - MAX_REGION_BYTES % elementBytes;
        try {
            for (long at = tensor.begin(); at < tensor.end(); at += regionBytes) {
                long length = Math.min(regionBytes, tensor.end() - at);
                ByteBuffer region = channel.map(FileChannel.MapMode.READ_ONLY, at, length).order(ByteOrder.LITTLE_ENDIAN);
                backend.upload(dst, dstOffset + (at - tensor.begin()) / elementBytes, region);
            }
        } catch (IOException e) {
            throw new EngineException("cannot read tensor '" + tensor.name() + "' from " + path + ": " + e, e);
        }
    }

    @Override
    public void close() {
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
