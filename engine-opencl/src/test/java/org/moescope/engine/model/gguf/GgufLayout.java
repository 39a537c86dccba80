package org.moescope.engine.model.gguf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each section of a GGUF file's header starts, found by walking the bytes independently of the reader under
 * test, so that corruption tests can aim at every field.
 */
final class GgufLayout {

    /** One metadata pair: where its key, its type and its value start, and where it ends. */
    record Kv(String key, int keyAt, int typeAt, int valueAt, int end, int type) {
    }

    /** One tensor info: where its name, n_dims, first dim, type and offset fields are. */
    record Info(String name, int nameAt, int dimsAt, int neAt, int typeAt, int offsetAt, int end) {
    }

    final List<Kv> kvs = new ArrayList<>();
    final List<Info> infos = new ArrayList<>();
    int headerEnd;
    int dataStart;

    private final ByteBuffer b;

    GgufLayout(byte[] file) {
        b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        b.position(8);
        long tensors = b.getLong();
        long kvCount = b.getLong();
        headerEnd = b.position();
        for (long i = 0; i < kvCount; i++) {
            int keyAt = b.position();
            String key = string();
            int typeAt = b.position();
            int type = b.getInt();
            int valueAt = b.position();
            skip(type);
            kvs.add(new Kv(key, keyAt, typeAt, valueAt, b.position(), type));
        }
        for (long i = 0; i < tensors; i++) {
            int nameAt = b.position();
            String name = string();
            int dimsAt = b.position();
            int dims = b.getInt();
            int neAt = b.position();
            b.position(neAt + 8 * dims);
            int typeAt = b.position();
            b.getInt();
            int offsetAt = b.position();
            b.getLong();
            infos.add(new Info(name, nameAt, dimsAt, neAt, typeAt, offsetAt, b.position()));
        }
        dataStart = (b.position() + 31) / 32 * 32;
    }

    private String string() {
        int n = (int) b.getLong();
        byte[] s = new byte[n];
        b.get(s);
        return new String(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private void skip(int type) {
        switch (type) {
            case 0, 1, 7 -> b.get();
            case 2, 3 -> b.getShort();
            case 4, 5, 6 -> b.getInt();
            case 10, 11, 12 -> b.getLong();
            case 8 -> string();
            case 9 -> {
                int element = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) {
                    skip(element);
                }
            }
            default -> throw new IllegalStateException("type " + type);
        }
    }

    Kv kv(String key) {
        return kvs.stream().filter(k -> k.key().equals(key)).findFirst().orElseThrow();
    }
}
