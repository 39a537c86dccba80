package org.moescope.app.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DeviceInfo;

/** {@code moescope devices}: OpenCL platforms and devices, plus the Java reference backend. */
final class DevicesCommand {
    static final String USAGE = """
            moescope devices              list the OpenCL platforms and devices, and the Java reference backend,
                                          with the index and name that --device takes; no options
            """;

    private DevicesCommand() {
    }

    static int run(String[] args, PrintStream out) {
        CliArgs.parse("devices", args, 1, Set.of(), Set.of());
        if (!Backends.openClAvailable()) {
            out.println("OpenCL: not available (" + Backends.openClUnavailableReason().orElse("unknown reason") + ")");
        }
        List<DeviceInfo> devices = Backends.listDevices();
        String platform = null;
        for (DeviceInfo d : devices) {
            if (!d.platform().equals(platform)) {
                platform = d.platform();
                out.println("Platform: " + platform);
            }
            out.printf(Locale.ROOT, "  [%d] %s  (%s)%n", d.index(), d.name(), d.kind());
            out.printf(Locale.ROOT, "      vendor %s, %s%n", d.vendor(), d.version());
            out.printf(Locale.ROOT, "      %d compute units, %.2f GiB global, %.2f GiB max allocation, %d KiB local%n",
                    d.computeUnits(), gib(d.globalMemBytes()), gib(d.maxAllocBytes()), d.localMemBytes() / 1024);
            out.printf(Locale.ROOT, "      timer resolution %d ns, %d extensions%s%n", d.timerResolutionNs(),
                    d.extensions().size(), d.extensions().contains("cl_khr_fp16") ? " (cl_khr_fp16)" : "");
        }
        out.println("Select with --device INDEX or --device NAME-SUBSTRING (\"java\" for the reference).");
        return 0;
    }

    private static double gib(long bytes) {
        return bytes / (1024.0 * 1024 * 1024);
    }
}
