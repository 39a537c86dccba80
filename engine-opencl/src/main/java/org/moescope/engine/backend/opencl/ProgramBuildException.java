package org.moescope.engine.backend.opencl;

/** A kernel source failed to compile; the message and {@link #buildLog()} hold the compiler's log. */
public final class ProgramBuildException extends ClException {
    private final String buildLog;

    public ProgramBuildException(String sourceName, String options, int code, String buildLog) {
        super("clBuildProgram(" + sourceName + ", options '" + options + "')", code, "build log:\n" + buildLog);
        this.buildLog = buildLog;
    }

    public String buildLog() {
        return buildLog;
    }
}
