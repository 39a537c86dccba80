package org.moescope.engine;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.opencl.ClDevice;
import org.moescope.engine.backend.opencl.ClDevices;
import org.moescope.engine.backend.opencl.OpenClBackend;

/**
 * Opens an OpenCL backend for tests. Without an OpenCL platform the test is skipped with a visible line on stderr,
 * or fails when the system property {@code moescope.requireOpenCL} is "true" (CI).
 */
public final class OpenClTestSupport {
    private OpenClTestSupport() {
    }

    /** An {@link OpenClBackend} on the first OpenCL device, or a skip / failure when there is none. */
    public static OpenClBackend openOrSkip() {
        return new OpenClBackend(firstDeviceOrSkip());
    }

    /** The first OpenCL device, or a skip / failure when there is none. */
    public static ClDevice firstDeviceOrSkip() {
        Optional<String> reason = Backends.openClUnavailableReason();
        if (reason.isPresent()) {
            if (Boolean.getBoolean("moescope.requireOpenCL")) {
                fail("moescope.requireOpenCL=true but no OpenCL platform: " + reason.get());
            }
            System.err.println("SKIPPED: no OpenCL platform: " + reason.get());
            Assumptions.abort("no OpenCL platform: " + reason.get());
        }
        List<ClDevice> devices = ClDevices.list();
        return devices.get(0);
    }
}
