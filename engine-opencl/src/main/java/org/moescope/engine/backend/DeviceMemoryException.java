package org.moescope.engine.backend;

/** A device allocation failed; names the buffer and the bytes asked for. */
public class DeviceMemoryException extends EngineException {
    private final String bufferName;
    private final long requestedBytes;

    public DeviceMemoryException(String bufferName, long requestedBytes, String detail) {
        super(String.format(java.util.Locale.ROOT, "out of device memory allocating '%s' (%,d bytes = %.1f MiB): %s",
                bufferName, requestedBytes, requestedBytes / (1024.0 * 1024), detail));
        this.bufferName = bufferName;
        this.requestedBytes = requestedBytes;
    }

    public String bufferName() {
        return bufferName;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
