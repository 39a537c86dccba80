package org.moescope.engine.fuzz;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A copy of a file that is corrupted by a {@link Mutation} and restored afterwards by rewriting only the bytes it
 * changed: thousands of cases on a file of megabytes without writing the whole file each time.
 */
final class WorkingCopy {
    private final byte[] original;
    private final Path path;
    private Mutation applied;

    WorkingCopy(byte[] original, Path path) throws IOException {
        this.original = original;
        this.path = path;
        Files.write(path, original);
    }

    Path path() {
        return path;
    }

    long size() {
        return original.length;
    }

    void apply(Mutation m) throws IOException {
        if (applied != null) {
            throw new IllegalStateException("restore the previous mutation first");
        }
        applied = m;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            for (Mutation.Patch p : m.patches()) {
                ch.write(ByteBuffer.wrap(p.bytes()), p.at());
            }
            if (m.truncateTo() >= 0) {
                ch.truncate(m.truncateTo());
            }
        }
    }

    void restore() throws IOException {
        if (applied == null) {
            return;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            if (ch.size() > original.length) {
                ch.truncate(original.length);
            }
            long from = applied.truncateTo() >= 0 ? Math.min(applied.truncateTo(), original.length) : original.length;
            for (Mutation.Patch p : applied.patches()) {
                if (p.at() < from) {
                    int n = (int) Math.min(p.bytes().length, from - p.at());
                    ch.write(ByteBuffer.wrap(original, (int) p.at(), n), p.at());
                }
            }
            if (from < original.length) {
                ch.write(ByteBuffer.wrap(original, (int) from, (int) (original.length - from)), from);
            }
        }
        applied = null;
    }
}
