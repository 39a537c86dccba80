package org.moescope.engine.model.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;

/**
 * A GGUF file (versions 2 and 3, little-endian), or all the parts of a split one, opened from its first part
 * ({@code name-00001-of-00003.gguf}). The header is read and checked when it opens; tensor data stays in the file and
 * is memory-mapped region by region when read or uploaded, so a model never passes through the Java heap.
 *
 * <p>The metadata is the first part's (the other parts of a split file hold only their {@code split.*} keys); the
 * tensors are those of all parts, in file order.
 */
public final class GgufFile implements AutoCloseable {

    public static final String SPLIT_COUNT = "split.count";
    public static final String SPLIT_NO = "split.no";
    public static final String SPLIT_TENSORS_COUNT = "split.tensors.count";
    /** llama.cpp's split file names: {@code prefix-00001-of-00003.gguf}. */
    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");
    /** Upload in mapped regions of at most this many bytes (a MappedByteBuffer holds < 2 GiB). */
    public static final long MAX_REGION_BYTES = 1L << 30;

    private record Part(Path path, FileChannel channel, GgufHeader header) {
    }

    private final List<Part> parts;
    private final Map<String, GgufTensor> tensors;

    private GgufFile(List<Part> parts, Map<String, GgufTensor> tensors) {
        this.parts = parts;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Opens {@code path}, and the other parts when it is the first part of a split file. */
    public static GgufFile open(Path path) {
        Matcher m = SPLIT_NAME.matcher(path.getFileName().toString());
        if (m.matches() && Integer.parseInt(m.group(2)) != 1) {
            throw new EngineException(path + " is part " + Integer.parseInt(m.group(2)) + " of a split GGUF file: open its "
                    + "first part, " + m.group(1) + "-00001-of-" + m.group(3) + ".gguf");
        }
        List<Part> parts = new ArrayList<>();
        try {
            Part first = openPart(path, 0);
            parts.add(first);
            int count = splitCount(first);
            if (count > 1) {
                if (!m.matches()) {
                    throw new EngineException(path + ": the file says it is part 1 of " + count + " (" + SPLIT_COUNT
                            + "), but its name does not end in -00001-of-" + String.format(Locale.ROOT, "%05d", count)
                            + ".gguf, so its other parts cannot be found");
                }
                for (int i = 1; i < count; i++) {
                    Path next = path.resolveSibling(String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", m.group(1), i + 1, count));
                    if (!Files.isRegularFile(next)) {
                        throw new EngineException(path + " is part 1 of a split GGUF file of " + count + " parts, but part "
                                + (i + 1) + " (" + next.getFileName() + ") is missing");
                    }
                    Part p = openPart(next, i);
                    parts.add(p);
                    checkSplitNumber(p, i);
                }
            }
            return new GgufFile(parts, tensorsOf(parts));
        } catch (RuntimeException | Error e) {
            parts.forEach(p -> closeQuietly(p.channel()));
            throw e;
        }
    }

    private static Part openPart(Path path, int index) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new EngineException("cannot open " + path + ": " + e, e);
        }
        try {
            GgufCursor cursor = new GgufCursor(path, channel, channel.size());
            return new Part(path, channel, GgufHeader.read(cursor, index));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new EngineException("cannot read " + path + ": " + e, e);
        } catch (RuntimeException | Error e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static int splitCount(Part first) {
        GgufValue v = first.header().metadata().get(SPLIT_COUNT);
        if (v == null) {
            return 1;
        }
        int count = v.asInt(SPLIT_COUNT);
        if (count < 1 || count > 99_999) {
            throw new EngineException(first.path() + ": " + SPLIT_COUNT + " = " + count + " is not a number of parts");
        }
        checkSplitNumber(first, 0);
        return count;
    }

    private static void checkSplitNumber(Part p, int expected) {
        GgufValue no = p.header().metadata().get(SPLIT_NO);
        if (no != null && no.asInt(SPLIT_NO) != expected) {
            throw new EngineException(p.path() + ": " + SPLIT_NO + " is " + no.asInt(SPLIT_NO) + ", but the file name makes it "
                    + "part " + (expected + 1) + " (" + SPLIT_NO + " = " + expected + ")");
        }
    }

    private static Map<String, GgufTensor> tensorsOf(List<Part> parts) {
        Map<String, GgufTensor> out = new LinkedHashMap<>();
        for (Part p : parts) {
            for (GgufTensor t : p.header().tensors()) {
                if (out.put(t.name(), t) != null) {
                    throw new EngineException("tensor '" + t.name() + "' appears in two parts of the split GGUF file "
                            + parts.get(0).path() + " (also in " + p.path().getFileName() + ")");
                }
            }
        }
        GgufValue expected = parts.get(0).header().metadata().get(SPLIT_TENSORS_COUNT);
        if (expected != null && expected.asLong(SPLIT_TENSORS_COUNT) != out.size()) {
            throw new EngineException(parts.get(0).path() + ": " + SPLIT_TENSORS_COUNT + " says "
                    + expected.asLong(SPLIT_TENSORS_COUNT) + " tensors, but its " + parts.size() + " part(s) hold "
                    + out.size());
        }
        return out;
    }

    /** The first part's path. */
    public Path path() {
        return parts.get(0).path();
    }

    /** The paths of all parts, first to last. */
    public List<Path> partPaths() {
        return parts.stream().map(Part::path).toList();
    }

    public int version() {
        return parts.get(0).header().version();
    }

    /** The data alignment in bytes ({@code general.alignment}, 32 when absent). */
    public long alignment() {
        return parts.get(0).header().alignment();
    }

    /** The first part's metadata, in file order. */
    public Map<String, GgufValue> metadata() {
        return parts.get(0).header().metadata();
    }

    /** The value of {@code key}, or null. */
    public GgufValue get(String key) {
        return metadata().get(key);
    }

    /** The value of {@code key}; EngineException naming the key and the file when it is absent. */
    public GgufValue require(String key) {
        GgufValue v = get(key);
        if (v == null) {
            throw new EngineException(path() + ": the GGUF metadata has no '" + key + "'");
        }
        return v;
    }

    /** Every tensor of every part, by name, in file order. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    /**
     * The bytes [from, from + length) of {@code tensor}'s data, mapped read-only and little-endian. For tests and small
     * tensors; a length must fit a ByteBuffer.
     */
    public ByteBuffer bytes(GgufTensor tensor, long from, int length) {
        if (from < 0 || length < 0 || from + length > tensor.bytes()) {
            throw new IllegalArgumentException("bytes [" + from + ", " + (from + length) + ") are outside tensor '"
                    + tensor.name() + "' of " + tensor.bytes() + " bytes");
        }
        Part p = parts.get(tensor.part());
        try {
            return p.channel().map(FileChannel.MapMode.READ_ONLY, tensor.fileOffset() + from, length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new EngineException("cannot read tensor '" + tensor.name() + "' from " + p.path() + ": " + e, e);
        }
    }

    /**
     * Uploads all of {@code tensor}'s stored bytes into {@code dst} (of the tensor's own DType) from element
     * {@code dstOffset}, one mapped region at a time; quantized blocks go up as they are.
     */
    public void upload(GgufTensor tensor, Backend backend, DeviceBuffer dst, long dstOffset) {
        if (dst.dtype() != tensor.dtype()) {
            throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.dtype()
                    + " but buffer '" + dst.name() + "' is " + dst.dtype());
        }
        int blockBytes = tensor.dtype().blockBytes();
        int blockElements = tensor.dtype().blockElements();
        long chunk = MAX_REGION_BYTES - MAX_REGION_BYTES % blockBytes;
        for (long at = 0; at < tensor.bytes(); at += chunk) {
            int length = (int) Math.min(chunk, tensor.bytes() - at);
            backend.upload(dst, dstOffset + at / blockBytes * blockElements, bytes(tensor, at, length));
        }
    }

    @Override
    public void close() {
        parts.forEach(p -> closeQuietly(p.channel()));
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to release beyond the descriptor
        }
    }
}
