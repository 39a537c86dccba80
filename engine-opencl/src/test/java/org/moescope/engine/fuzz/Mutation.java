package org.moescope.engine.fuzz;

import java.util.List;

/**
 * One corruption of a file: bytes written over the original at given offsets, then optionally a cut. Kept as
 * patches (not a whole new file) so a working copy of a large file can be corrupted and restored in place.
 *
 * @param description what was done, for failure reports ("flip bit 3 of byte 1207 (the header)")
 * @param patches     bytes written over the original, in order
 * @param truncateTo  the file's new length, or -1 to keep it
 */
record Mutation(String description, List<Patch> patches, long truncateTo) {

    /** {@code bytes} written at {@code at}. */
    record Patch(long at, byte[] bytes) {
    }

    static Mutation patch(String description, long at, byte[] bytes) {
        return new Mutation(description, List.of(new Patch(at, bytes)), -1);
    }

    static Mutation truncate(String description, long length) {
        return new Mutation(description, List.of(), length);
    }

    /** The corrupted content of {@code original}, as a new array (for small files written whole). */
    /** The whole new content: {@code bytes} in place of {@code original} (a JSON file rewritten). */
    static Mutation replace(String description, byte[] original, byte[] bytes) {
        return new Mutation(description, List.of(new Patch(0, bytes)), bytes.length < original.length ? bytes.length : -1);
    }
}
