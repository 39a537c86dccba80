package org.moescope.engine.model.gguf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.moescope.engine.backend.DType;

/**
 * The parsed header of one GGUF file: magic "GGUF", a u32 version, u64 tensor and key counts, the metadata key/value
 * pairs, the tensor table, then padding to {@code general.alignment}; the data section follows. Every count is checked
 * against the bytes left in the file before anything is allocated for it, and every tensor against the data section.
 *
 * @param dataStart absolute offset of the data section
 */
record GgufHeader(int version, Map<String, GgufValue> metadata, List<GgufTensor> tensors, long alignment,
                  long dataStart) {

    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final String ALIGNMENT_KEY = "general.alignment";
    static final long DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    static final int MAX_DIMS = 4;
    /** Arrays nested deeper than this are refused (each level recurses). */
    private static final int MAX_NESTING = 16;
    /** The fewest bytes a key/value pair takes: an empty key's length, the type, one byte of value. */
    private static final long MIN_KV_BYTES = 8 + 4 + 1;
    /** The fewest bytes a tensor info takes: an empty name's length, n_dims = 0, type, offset. */
    private static final long MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    static GgufHeader read(GgufCursor in, int part) {
        in.section("the header");
        int magic = in.i32();
        if (magic != MAGIC) {
            throw in.error("not a GGUF file: the magic is " + printable(magic) + ", expected 'GGUF'");
        }
        long version = in.u32();
        if (version == 1) {
            throw in.error("GGUF version 1 is not supported (MoEScope reads versions 2 and 3)");
        }
        if (version != 2 && version != 3) {
            String endian = (version & 0xffff) == 0 ? " (a big-endian file? MoEScope reads little-endian GGUF)" : "";
            throw in.error("unknown GGUF version " + version + endian + "; MoEScope reads versions 2 and 3");
        }
        long tensorCount = in.i64();
        long kvCount = in.i64();
        check(in, kvCount, "metadata key/value pairs", MIN_KV_BYTES);

        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            in.section("metadata key/value " + i + " of " + kvCount);
            String key = in.string();
            in.section("metadata key/value " + i + " ('" + key + "')");
            if (key.isEmpty()) {
                throw in.error("the key is empty");
            }
            if (metadata.containsKey(key)) {
                throw in.error("the key appears twice");
            }
            metadata.put(key, value(in, valueType(in), 0));
        }
        long alignment = alignment(in, metadata);

        in.section("the tensor table");
        check(in, tensorCount, "tensors", MIN_TENSOR_INFO_BYTES);
        List<GgufTensor> infos = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            in.section("tensor info " + i + " of " + tensorCount);
            infos.add(tensorInfo(in, part, names, alignment));
        }
        in.section("the padding before the data section");
        long dataStart = align(in.position(), alignment);
        if (tensorCount > 0) {
            in.seek(dataStart);
        }
        List<GgufTensor> tensors = new ArrayList<>();
        for (GgufTensor t : infos) {
            tensors.add(placed(in, t, dataStart));
        }
        checkOverlaps(in, tensors);
        return new GgufHeader((int) version, Collections.unmodifiableMap(metadata), List.copyOf(tensors), alignment,
                dataStart);
    }

    /**
     * A count of items of at least {@code minBytes} each must fit in the rest of the file: a corrupt count is refused
     * before anything is read or allocated for it.
     */
    private static void check(GgufCursor in, long n, String what, long minBytes) {
        long room = in.remaining() / minBytes;
        if (n < 0 || n > room) {
            throw in.error("the file is truncated or corrupt: it claims " + Long.toUnsignedString(n) + " " + what
                    + ", but the " + in.remaining() + " bytes left from offset " + in.position() + " could hold at most "
                    + room);
        }
    }

    private static GgufValueType valueType(GgufCursor in) {
        long id = in.u32();
        GgufValueType type = GgufValueType.ofId(id);
        if (type == null) {
            throw in.error("unknown metadata value type " + id + " (GGUF defines types 0 to 12)");
        }
        return type;
    }

    private static GgufValue value(GgufCursor in, GgufValueType type, int depth) {
        Object v = switch (type) {
            case UINT8 -> (long) in.u8();
            case INT8 -> (long) (byte) in.u8();
            case UINT16 -> (long) (in.i16() & 0xffff);
            case INT16 -> (long) in.i16();
            case UINT32 -> in.u32();
            case INT32 -> (long) in.i32();
            case UINT64, INT64 -> in.i64();
            case FLOAT32 -> in.f32();
            case FLOAT64 -> in.f64();
            case BOOL -> in.u8() != 0;
            case STRING -> in.string();
            case ARRAY -> array(in, depth);
        };
        return new GgufValue(type, v);
    }

    private static GgufArray array(GgufCursor in, int depth) {
        if (depth >= MAX_NESTING) {
            throw in.error("arrays nested more than " + MAX_NESTING + " deep");
        }
        GgufValueType element = valueType(in);
        long n = in.i64();
        long room = in.remaining() / element.minimumBytes();
        if (n < 0 || n > room) {
            throw in.error("the file is truncated or corrupt: an array claims " + Long.toUnsignedString(n) + " "
                    + element + " elements, but the " + in.remaining() + " bytes left in the file could hold at most "
                    + room);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw in.error("an array of " + n + " elements is longer than MoEScope can hold");
        }
        List<Object> items = new ArrayList<>((int) Math.min(n, 1 << 16)); // grows with what is really read
        for (long i = 0; i < n; i++) {
            items.add(value(in, element, depth + 1).value());
        }
        return new GgufArray(element, items);
    }

    private static long alignment(GgufCursor in, Map<String, GgufValue> metadata) {
        GgufValue v = metadata.get(ALIGNMENT_KEY);
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        in.section("metadata key '" + ALIGNMENT_KEY + "'");
        if (v.type() != GgufValueType.UINT32) {
            throw in.error("must be a UINT32, but the file stores a " + v.type());
        }
        long a = (Long) v.value();
        if (a == 0 || (a & (a - 1)) != 0) {
            throw in.error("the alignment " + a + " is not a power of 2");
        }
        return a;
    }

    private static GgufTensor tensorInfo(GgufCursor in, int part, Set<String> names, long alignment) {
        String name = in.string();
        in.section("tensor info '" + name + "'");
        if (!names.add(name)) {
            throw in.error("the tensor name appears twice");
        }
        long dims = in.u32();
        if (dims > MAX_DIMS) {
            throw in.error("the tensor has " + dims + " dimensions; GGUF allows at most " + MAX_DIMS);
        }
        long[] ne = new long[(int) dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            ne[d] = in.i64();
            if (ne[d] < 0) {
                throw in.error("dimension " + d + " is " + Long.toUnsignedString(ne[d]) + ", which does not fit in a tensor");
            }
            try {
                elements = Math.multiplyExact(elements, ne[d]);
            } catch (ArithmeticException e) {
                throw in.error("the dimensions " + dimsString(ne, d + 1) + " hold more elements than a tensor can");
            }
        }
        int typeId = in.i32();
        DType dtype = GgmlType.dtypeOf(typeId);
        if (dtype == null) {
            throw in.error("tensor '" + name + "' has type " + GgmlType.describe(typeId)
                    + ", which MoEScope does not read; supported types: " + GgmlType.supportedNames());
        }
        long row = dims == 0 ? 1 : ne[0];
        if (row % dtype.blockElements() != 0) {
            throw in.error("tensor '" + name + "' of type " + dtype + " has rows of " + row
                    + " elements, not a whole number of " + dtype.blockElements() + "-element blocks");
        }
        long bytes;
        try {
            bytes = dtype.bytesOf(elements);
        } catch (ArithmeticException e) {
            throw in.error("tensor '" + name + "' " + dimsString(ne, ne.length) + " takes more bytes than a file can hold");
        }
        long offset = in.i64();
        if (offset < 0 || offset % alignment != 0) {
            throw in.error("tensor '" + name + "' has data offset " + Long.toUnsignedString(offset)
                    + ", which is not a multiple of the alignment " + alignment);
        }
        return new GgufTensor(name, ne, typeId, dtype, part, offset, -1, bytes);
    }

    /** The tensor with its absolute offset, once the data section is known; its data must lie within the file. */
    private static GgufTensor placed(GgufCursor in, GgufTensor t, long dataStart) {
        long dataBytes = in.size() - dataStart;
        if (t.offset() > dataBytes || t.bytes() > dataBytes - t.offset()) {
            in.section("the data of tensor '" + t.name() + "'");
            throw in.error("its " + t.bytes() + " bytes at data offset " + t.offset() + " run past the end of the file"
                    + " (the data section holds " + dataBytes + " bytes): the file is truncated or corrupt");
        }
        return new GgufTensor(t.name(), t.ne(), t.ggmlType(), t.dtype(), t.part(), t.offset(), dataStart + t.offset(),
                t.bytes());
    }

    private static void checkOverlaps(GgufCursor in, List<GgufTensor> tensors) {
        List<GgufTensor> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensor::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensor a = byOffset.get(i - 1);
            GgufTensor b = byOffset.get(i);
            if (a.offset() + a.bytes() > b.offset()) {
                in.section("the tensor table");
                throw in.error("the data of tensors '" + a.name() + "' [" + a.offset() + ", " + (a.offset() + a.bytes())
                        + ") and '" + b.name() + "' [" + b.offset() + ", " + (b.offset() + b.bytes()) + ") overlap");
            }
        }
    }

    static long align(long offset, long alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static String dimsString(long[] ne, int count) {
        StringBuilder sb = new StringBuilder("ne=[");
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : ", ").append(Long.toUnsignedString(ne[i]));
        }
        return sb.append(']').toString();
    }

    private static String printable(int magic) {
        StringBuilder sb = new StringBuilder("'");
        for (int i = 0; i < 4; i++) {
            int c = (magic >>> (8 * i)) & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.append("'").toString();
    }
}
