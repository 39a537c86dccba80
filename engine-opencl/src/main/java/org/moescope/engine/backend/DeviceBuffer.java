package org.moescope.engine.backend;

/**
 * A typed buffer owned by one {@link Backend}. Lengths are in elements of {@link #dtype()}.
 * Closing releases the device memory; a closed buffer must not be used again.
 */
public interface DeviceBuffer extends AutoCloseable {
    /** What the buffer holds, for error messages and memory reports (e.g. "layer3.experts.gate"). */
    String name();

    DType dtype();

    /** Number of elements. */
    long length();

    default long bytes() {
        return dtype().bytesOf(length());
    }

    @Override
    void close();
}
