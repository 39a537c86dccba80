package org.moescope.engine.model;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.Precision;

/** Writes safetensors files for tests: tensors given as floats, stored as F32, F16 or BF16. */
final class SafetensorsWriter {

    record Entry(String dtypeName, long[] shape, byte[] data) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();

    /** Adds a tensor rounded to {@code dtype}. */
    SafetensorsWriter add(String name, DType dtype, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> b.putFloat(v);
                case F16 -> b.putShort(Precision.floatToF16(v));
                case BF16 -> b.putShort(Precision.floatToBf16(v));
                case I32 -> throw new IllegalArgumentException("I32");
            }
        }
        entries.put(name, new Entry(dtype.name(), shape, b.array()));
        return this;
    }

    /** Adds raw bytes under any dtype name (for unsupported-dtype tests). */
    SafetensorsWriter addRaw(String name, String dtypeName, long[] shape, byte[] data) {
        entries.put(name, new Entry(dtypeName, shape, data));
        return this;
    }

    SafetensorsWriter remove(String name) {
        entries.remove(name);
        return this;
    }

    Map<String, Entry> entries() {
        return entries;
    }

    String headerJson() {
        JsonObject root = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("format", "pt");
        root.add("__metadata__", meta);
        long offset = 0;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", e.getValue().dtypeName());
            JsonArray shape = new JsonArray();
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += e.getValue().data().length;
            offsets.add(offset);
            t.add("data_offsets", offsets);
            root.add(e.getKey(), t);
        }
        return new Gson().toJson(root);
    }

    void write(Path file) throws IOException {
        writeWithHeader(file, headerJson());
    }

    /** Writes the data after an arbitrary header text (for malformed-header tests). */
    void writeWithHeader(Path file, String header) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
            out.write(h);
            for (Entry e : entries.values()) {
                out.write(e.data());
            }
        }
    }
}
