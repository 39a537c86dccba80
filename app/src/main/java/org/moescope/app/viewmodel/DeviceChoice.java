package org.moescope.app.viewmodel;

import java.util.List;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DeviceInfo;

/**
 * A device in the run panel's list and the selector that opens it: "java" for the Java reference backend, the
 * device's index otherwise.
 */
public record DeviceChoice(DeviceInfo info, String selector) {

    public static DeviceChoice of(DeviceInfo info) {
        return new DeviceChoice(info, isReference(info) ? "java" : Integer.toString(info.index()));
    }

    /** Every device the engine can open (the Java reference is always there). */
    public static List<DeviceChoice> available() {
        return Backends.listDevices().stream().map(DeviceChoice::of).toList();
    }

    public boolean isReference() {
        return isReference(info);
    }

    private static boolean isReference(DeviceInfo info) {
        return "REFERENCE".equals(info.kind());
    }

    /**
     * A short name for the chosen device in the run panel, where the full one (often 80 characters:
     * "pthread-skylake-avx512-Intel(R) Xeon(R) Processor · Portable Computing Language · CPU") would be cut: the kind
     * first, then the device name without trademark signs, POCL's driver prefix and generic words.
     */
    public String compactName() {
        if (isReference()) {
            return "Java reference (no OpenCL)";
        }
        String name = info.name()
                .replaceFirst("^pthread-", "")
                .replaceAll("\\((R|TM|r|tm)\\)", "")
                .replaceAll("\\b(CPU|Processor|Graphics|Corporation)\\b", "")
                .replaceAll("\\s+", " ")
                .strip();
        return info.kind() + " \u00b7 " + (name.isEmpty() ? info.name() : name);
    }

    @Override
    public String toString() {
        return isReference() ? info.name() + " (reference, no OpenCL)" : info.name() + " · " + info.platform() + " · " + info.kind();
    }
}
