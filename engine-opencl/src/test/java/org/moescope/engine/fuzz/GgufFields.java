package org.moescope.engine.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Every count, length, type and offset field of a well-formed GGUF header with its position and width, read
 * independently of the engine's reader: the fuzzer overwrites them with out-of-range values.
 */
final class GgufFields {
    /** A field of {@code width} bytes at {@code at}. */
    record Field(String name, int at, int width) {
    }

    final List<Field> fields = new ArrayList<>();
    /** Where the tensor data starts (the end of the header and its padding). */
    final int dataStart;

    GgufFields(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4);
        fields.add(new Field("version", 4, 4));
        b.getInt();
        fields.add(new Field("tensor count", 8, 8));
        long tensors = b.getLong();
        fields.add(new Field("metadata count", 16, 8));
        long kvs = b.getLong();
        long alignment = 32;
        for (long i = 0; i < kvs; i++) {
            String key = string(b, "key length of metadata " + i);
            fields.add(new Field("type of '" + key + "'", b.position(), 4));
            int type = b.getInt();
            if (key.equals("general.alignment")) {
                alignment = Integer.toUnsignedLong(b.getInt(b.position()));
            }
            if (type == 4 || type == 5) {
                fields.add(new Field("value of '" + key + "'", b.position(), 4));
            } else if (type == 10 || type == 11) {
                fields.add(new Field("value of '" + key + "'", b.position(), 8));
            }
            value(b, type, key);
        }
        for (long i = 0; i < tensors; i++) {
            String name = string(b, "name length of tensor " + i);
            fields.add(new Field("dimension count of '" + name + "'", b.position(), 4));
            int dims = b.getInt();
            for (int d = 0; d < dims; d++) {
                fields.add(new Field("dimension " + d + " of '" + name + "'", b.position(), 8));
                b.getLong();
            }
            fields.add(new Field("ggml type of '" + name + "'", b.position(), 4));
            b.getInt();
            fields.add(new Field("offset of '" + name + "'", b.position(), 8));
            b.getLong();
        }
        dataStart = (int) ((b.position() + alignment - 1) / alignment * alignment);
    }

    private String string(ByteBuffer b, String what) {
        fields.add(new Field(what, b.position(), 8));
        int n = (int) b.getLong();
        byte[] bytes = new byte[n];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void value(ByteBuffer b, int type, String key) {
        switch (type) {
            case 0, 1, 7 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5, 6 -> b.getInt();
            case 10, 11, 12 -> b.getLong();
            case 8 -> string(b, "string length of '" + key + "'");
            case 9 -> {
                fields.add(new Field("element type of '" + key + "'", b.position(), 4));
                int elementType = b.getInt();
                fields.add(new Field("element count of '" + key + "'", b.position(), 8));
                long n = b.getLong();
                for (long i = 0; i < n; i++) {
                    if (elementType == 8) {
                        int len = (int) b.getLong(); // not a field: thousands of token strings would crowd the rest out
                        b.position(b.position() + len);
                    } else {
                        value(b, elementType, key);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown GGUF value type " + type + " of '" + key + "'");
        }
    }
}
