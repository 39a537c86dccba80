package org.moescope.engine.backend.opencl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.moescope.engine.backend.DType;

/**
 * The tensors of the ggml-written GGUF test fixtures (test resources {@code org/moescope/engine/gguf/}), found by the
 * few lines of GGUF v3 layout a test needs: each tensor's ggml type and raw bytes. Just enough to feed the device
 * decoders ggml's own blocks; the engine's GGUF reader is tested on its own.
 */
final class GgufFixtureTensors {
    /** One tensor: its type, its ne (innermost first) and its stored bytes. */
    record Tensor(DType dtype, long[] ne, ByteBuffer bytes) {
        long elements() {
            long n = 1;
            for (long d : ne) {
                n *= d;
            }
            return n;
        }
    }

    private final Map<String, Tensor> tensors = new HashMap<>();

    static Path fixture(String relative) {
        try {
            return Path.of(GgufFixtureTensors.class.getResource("/org/moescope/engine/gguf/" + relative).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    GgufFixtureTensors(Path file) {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (b.getInt() != 0x46554747 || b.getInt() != 3) {
            throw new IllegalArgumentException(file + " is not a GGUF v3 file");
        }
        long tensorCount = b.getLong();
        long kvCount = b.getLong();
        long alignment = 32;
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            int type = b.getInt();
            if (key.equals("general.alignment")) {
                alignment = b.getInt();
            } else {
                skipValue(b, type);
            }
        }
        String[] names = new String[(int) tensorCount];
        long[][] shapes = new long[names.length][];
        int[] types = new int[names.length];
        long[] offsets = new long[names.length];
        for (int t = 0; t < names.length; t++) {
            names[t] = string(b);
            shapes[t] = new long[b.getInt()];
            for (int d = 0; d < shapes[t].length; d++) {
                shapes[t][d] = b.getLong();
            }
            types[t] = b.getInt();
            offsets[t] = b.getLong();
        }
        long data = (b.position() + alignment - 1) / alignment * alignment;
        for (int t = 0; t < names.length; t++) {
            DType dtype = ggmlType(types[t]);
            long n = 1;
            for (long d : shapes[t]) {
                n *= d;
            }
            ByteBuffer bytes = b.duplicate().position((int) (data + offsets[t]))
                    .limit((int) (data + offsets[t] + dtype.bytesOf(n))).slice().order(ByteOrder.LITTLE_ENDIAN);
            tensors.put(names[t], new Tensor(dtype, shapes[t], bytes));
        }
    }

    Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return t;
    }

    /** The F32 values of a tensor of a safetensors file (the dequantized fixture), by the 8-byte header layout. */
    static float[] safetensorsF32(Path file, String name) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) b.getLong();
        String header = new String(all, 8, headerLength, StandardCharsets.UTF_8);
        int at = header.indexOf("\"" + name + "\"");
        int offsets = header.indexOf("data_offsets", at);
        String[] range = header.substring(header.indexOf('[', offsets) + 1, header.indexOf(']', offsets)).split(",");
        long begin = Long.parseLong(range[0].trim());
        long end = Long.parseLong(range[1].trim());
        float[] out = new float[(int) ((end - begin) / 4)];
        b.position((int) (8 + headerLength + begin));
        b.asFloatBuffer().get(out);
        return out;
    }

    private static DType ggmlType(int type) {
        return switch (type) {
            case 0 -> DType.F32;
            case 1 -> DType.F16;
            case 30 -> DType.BF16;
            case 8 -> DType.Q8_0;
            case 2 -> DType.Q4_0;
            case 6 -> DType.Q5_0;
            case 12 -> DType.Q4_K;
            case 13 -> DType.Q5_K;
            case 14 -> DType.Q6_K;
            default -> throw new IllegalArgumentException("ggml type " + type);
        };
    }

    private static String string(ByteBuffer b) {
        byte[] s = new byte[(int) b.getLong()];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static void skipValue(ByteBuffer b, int type) {
        switch (type) {
            case 0, 1, 7 -> b.position(b.position() + 1);
            case 2, 3 -> b.position(b.position() + 2);
            case 4, 5, 6 -> b.position(b.position() + 4);
            case 10, 11, 12 -> b.position(b.position() + 8);
            case 8 -> string(b);
            case 9 -> {
                int elementType = b.getInt();
                long n = b.getLong();
                for (long i = 0; i < n; i++) {
                    skipValue(b, elementType);
                }
            }
            default -> throw new IllegalArgumentException("GGUF value type " + type);
        }
    }
}
