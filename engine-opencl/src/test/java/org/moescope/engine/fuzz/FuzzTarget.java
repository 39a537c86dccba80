package org.moescope.engine.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.moescope.engine.session.ModelSource;

/**
 * One file of a model that the fuzzer corrupts: its working copy, the model source that reads it, and how it is
 * corrupted (by its format: the safetensors header, a GGUF header's fields, a JSON document).
 */
abstract class FuzzTarget {
    final String label;
    final WorkingCopy copy;
    final ModelSource source;
    /** Bytes the open reads besides this file (the rest of the model folder), for the allocation bound. */
    final long otherInputBytes;
    final byte[] original;

    FuzzTarget(String label, byte[] original, Path file, ModelSource source, long otherInputBytes) throws IOException {
        this.label = label;
        this.original = original;
        this.copy = new WorkingCopy(original, file);
        this.source = source;
        this.otherInputBytes = otherInputBytes;
    }

    /** The file name an error about this file must name. */
    String fileName() {
        return copy.path().getFileName().toString();
    }

    abstract Mutation mutate(Random r);

    // ------------------------------------------------------------------ shared corruptions

    static Mutation flips(byte[] original, int regionEnd, Random r) {
        int n = 1 + r.nextInt(4);
        int lo = Integer.MAX_VALUE;
        int hi = 0;
        int[] at = new int[n];
        int[] bit = new int[n];
        for (int i = 0; i < n; i++) {
            at[i] = r.nextInt(regionEnd);
            bit[i] = r.nextInt(8);
            lo = Math.min(lo, at[i]);
            hi = Math.max(hi, at[i]);
        }
        byte[] patch = Arrays.copyOfRange(original, lo, hi + 1);
        StringBuilder d = new StringBuilder("flip");
        for (int i = 0; i < n; i++) {
            patch[at[i] - lo] ^= (byte) (1 << bit[i]);
            d.append(" bit ").append(bit[i]).append(" of byte ").append(at[i]).append(i + 1 < n ? "," : "");
        }
        return Mutation.patch(d.toString(), lo, patch);
    }

    /** A cut inside the first {@code headerEnd} bytes four times in five, else inside the rest. */
    static Mutation truncation(byte[] original, int headerEnd, Random r) {
        long length = r.nextInt(5) > 0 || headerEnd >= original.length ? r.nextInt(headerEnd + 1)
                : headerEnd + 1 + r.nextInt(original.length - headerEnd - 1);
        return Mutation.truncate("truncated to " + length + " of " + original.length + " bytes", length);
    }

    // ------------------------------------------------------------------ the formats

    /** A JSON file (config.json, tokenizer.json): structural corruptions, bit flips, cuts. */
    static final class Json extends FuzzTarget {
        private final JsonMutator json;

        Json(String label, byte[] original, Path file, ModelSource source, long otherInputBytes) throws IOException {
            super(label, original, file, source, otherInputBytes);
            this.json = new JsonMutator(new String(original, StandardCharsets.UTF_8));
        }

        @Override
        Mutation mutate(Random r) {
            int kind = r.nextInt(20);
            if (kind < 13) {
                JsonMutator.Corrupted c = json.mutate(r);
                return Mutation.replace(c.description(), original, c.json().getBytes(StandardCharsets.UTF_8));
            }
            return kind < 17 ? flips(original, original.length, r) : truncation(original, original.length, r);
        }
    }

    /** model.safetensors: its JSON header corrupted in place (padded to its length), bit flips, cuts. */
    static final class Safetensors extends FuzzTarget {
        private final JsonMutator json;
        private final int headerLength;

        Safetensors(String label, byte[] original, Path file, ModelSource source, long otherInputBytes)
                throws IOException {
            super(label, original, file, source, otherInputBytes);
            this.headerLength = (int) ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            this.json = new JsonMutator(new String(original, 8, headerLength, StandardCharsets.UTF_8).strip());
        }

        @Override
        Mutation mutate(Random r) {
            int kind = r.nextInt(20);
            if (kind < 9) {
                for (int attempt = 0; attempt < 10; attempt++) {
                    JsonMutator.Corrupted c = json.mutate(r);
                    byte[] header = c.json().getBytes(StandardCharsets.UTF_8);
                    if (header.length <= headerLength) {
                        // safetensors pads its header with spaces: the data keeps its place
                        byte[] padded = Arrays.copyOf(header, headerLength);
                        Arrays.fill(padded, header.length, headerLength, (byte) ' ');
                        return Mutation.patch("header " + c.description(), 8, padded);
                    }
                }
            }
            if (kind < 14) {
                return flips(original, 8 + headerLength, r);
            }
            if (kind < 16) {
                long v = SpecialValues.pick(r);
                return Mutation.patch("header length set to " + v, 0, SpecialValues.littleEndian(v, 8));
            }
            return truncation(original, 8 + headerLength, r);
        }
    }

    /** A GGUF file: out-of-range values in its count, type, dimension and offset fields, bit flips, cuts. */
    static final class Gguf extends FuzzTarget {
        private final GgufFields fields;

        Gguf(String label, byte[] original, Path file, ModelSource source) throws IOException {
            super(label, original, file, source, 0);
            this.fields = new GgufFields(original);
        }

        @Override
        Mutation mutate(Random r) {
            int kind = r.nextInt(20);
            if (kind < 8) {
                GgufFields.Field f = fields.fields.get(r.nextInt(fields.fields.size()));
                long v = SpecialValues.pick(r);
                if (r.nextBoolean()) { // near the true value: off by one, doubled, another small count
                    long old = ByteBuffer.wrap(original, f.at(), f.width()).order(ByteOrder.LITTLE_ENDIAN).getInt();
                    v = switch (r.nextInt(3)) {
                        case 0 -> old + 1;
                        case 1 -> old - 1;
                        default -> old * 2;
                    };
                }
                return Mutation.patch(f.name() + " set to " + v, f.at(), SpecialValues.littleEndian(v, f.width()));
            }
            if (kind < 15) {
                return flips(original, fields.dataStart, r);
            }
            if (kind < 17) {
                int at = r.nextInt(fields.dataStart);
                byte[] junk = new byte[1 + r.nextInt(16)];
                r.nextBytes(junk);
                return Mutation.patch(junk.length + " random bytes at " + at, at, junk);
            }
            return truncation(original, fields.dataStart, r);
        }
    }
}
