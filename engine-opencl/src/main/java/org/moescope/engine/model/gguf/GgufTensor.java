package org.moescope.engine.model.gguf;

import java.util.Arrays;
import org.moescope.engine.backend.DType;

/**
 * One tensor of a GGUF file.
 *
 * @param ne         ggml's dimensions, innermost first: a matrix of {@code rows x cols} has ne = [cols, rows], and a
 *                   stack of experts ne = [cols, rows, experts]
 * @param ggmlType   the ggml type id as stored
 * @param dtype      the DType its bytes are kept in on the device (byte for byte)
 * @param part       which file of a split GGUF holds it (0 for a single file)
 * @param offset     its offset in the part's data section, as the tensor table stores it
 * @param fileOffset its absolute offset in the part's file
 * @param bytes      bytes of data
 */
public record GgufTensor(String name, long[] ne, int ggmlType, DType dtype, int part, long offset, long fileOffset,
                         long bytes) {

    public GgufTensor {
        ne = ne.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** Row-major shape, outermost first (ne reversed): ne = [hidden, inter, experts] is [experts, inter, hidden]. */
    public long[] shape() {
        long[] s = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            s[i] = ne[ne.length - 1 - i];
        }
        return s;
    }

    /** "Q4_K [8, 256, 256]": type and row-major shape. */
    public String describe() {
        return dtype + " " + Arrays.toString(shape());
    }
}
