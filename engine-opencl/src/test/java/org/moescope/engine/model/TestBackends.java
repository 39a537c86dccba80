package org.moescope.engine.model;

import java.util.List;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.java.JavaBackend;

/** The backends model tests run on: the Java reference always, OpenCL where a device is present. */
public final class TestBackends {

    private TestBackends() {
    }

    /** Backend kinds for parameterised tests. */
    public static List<String> kinds() {
        return List.of("java", "opencl");
    }

    /** Opens a backend of {@code kind} (skips the test when that kind has no device here). */
    public static Backend open(String kind) {
        return switch (kind) {
            case "java" -> new JavaBackend();
            case "opencl" -> OpenClTestSupport.openOrSkip();
            default -> throw new IllegalArgumentException("unknown backend kind " + kind);
        };
    }
}
