package org.moescope.engine.backend.opencl;

import org.jocl.CL;
import org.moescope.engine.backend.EngineException;

/** An OpenCL call failed: names the operation and the error code ("clBuildProgram failed: CL_BUILD_PROGRAM_FAILURE (-11)"). */
public class ClException extends EngineException {
    private final String operation;
    private final int code;

    public ClException(String operation, int code) {
        this(operation, code, null);
    }

    public ClException(String operation, int code, String detail) {
        super(operation + " failed: " + CL.stringFor_errorCode(code) + " (" + code + ")"
                + (detail == null || detail.isEmpty() ? "" : ": " + detail));
        this.operation = operation;
        this.code = code;
    }

    /** Throws a {@link ClException} unless {@code code} is {@code CL_SUCCESS}. */
    public static void check(int code, String operation) {
        if (code != CL.CL_SUCCESS) {
            throw new ClException(operation, code);
        }
    }

    public String operation() {
        return operation;
    }

    /** The OpenCL error code, e.g. {@code CL.CL_INVALID_VALUE}. */
    public int code() {
        return code;
    }

    /** Whether the error means the device ran out of memory for a buffer. */
    public boolean isOutOfMemory() {
        return code == CL.CL_MEM_OBJECT_ALLOCATION_FAILURE || code == CL.CL_OUT_OF_RESOURCES
                || code == CL.CL_OUT_OF_HOST_MEMORY || code == CL.CL_INVALID_BUFFER_SIZE;
    }
}
