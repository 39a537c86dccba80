package org.moescope.engine.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.backend.opencl.ClDevice;
import org.moescope.engine.backend.opencl.ClDevices;
import org.moescope.engine.backend.opencl.OpenClBackend;
import org.moescope.engine.backend.opencl.OpenClLibrary;

/**
 * Lists the devices a backend can run on and opens one by selector. Device indices are positions in
 * {@link #listDevices()}: every OpenCL device of every platform, then the Java reference last.
 */
public final class Backends {
    private Backends() {
    }

    /** Whether OpenCL loads and has at least one platform. */
    public static boolean openClAvailable() {
        return openClUnavailableReason().isEmpty();
    }

    /** Why no OpenCL device can be used (the library's message or "no OpenCL platform"), or empty when one can. */
    public static Optional<String> openClUnavailableReason() {
        Optional<String> reason = OpenClLibrary.unavailableReason();
        if (reason.isPresent()) {
            return reason;
        }
        try {
            ClDevices.list();
        } catch (EngineException e) {
            return Optional.of("OpenCL device discovery failed: " + e.getMessage());
        }
        return openClDevices().isEmpty()
                ? Optional.of("OpenCL loads but reports no platform or device: install an ICD such as pocl-opencl-icd "
                        + "(CPU) or your GPU vendor's OpenCL driver")
                : Optional.empty();
    }

    /** Every OpenCL device, then the Java reference. */
    public static List<DeviceInfo> listDevices() {
        List<DeviceInfo> infos = new ArrayList<>();
        List<ClDevice> cl = openClDevices();
        for (ClDevice d : cl) {
            infos.add(d.info());
        }
        try (JavaBackend reference = new JavaBackend(cl.size())) {
            infos.add(reference.device());
        }
        return List.copyOf(infos);
    }

    /**
     * Opens a backend. {@code null} or "" takes the first OpenCL GPU, else the first OpenCL device, else the Java
     * reference (saying which on stderr); a number is an index into {@link #listDevices()}; "java" or "reference"
     * is the Java reference; anything else is a case-insensitive substring of a device name. An unknown selector
     * throws {@link IllegalArgumentException} listing the devices.
     */
    public static Backend open(String selector) {
        List<ClDevice> cl = openClDevices();
        if (selector == null || selector.isBlank()) {
            Optional<ClDevice> pick = cl.stream().filter(d -> "GPU".equals(d.info().kind())).findFirst()
                    .or(() -> cl.stream().findFirst());
            if (pick.isPresent()) {
                System.err.println("MoEScope: using OpenCL device " + pick.get().info().summary());
                return new OpenClBackend(pick.get());
            }
            System.err.println("MoEScope: no OpenCL device (" + openClUnavailableReason().orElse("none") + "); "
                    + "using the Java reference backend");
            return new JavaBackend(cl.size());
        }
        String s = selector.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        if (lower.equals("java") || lower.equals("reference")) {
            return new JavaBackend(cl.size());
        }
        if (s.chars().allMatch(Character::isDigit)) {
            long index = Long.parseLong(s.length() > 9 ? "999999999" : s);
            if (index < cl.size()) {
                return new OpenClBackend(cl.get((int) index));
            }
            if (index == cl.size()) {
                return new JavaBackend(cl.size());
            }
            throw new IllegalArgumentException("no device with index " + s + "; " + describe());
        }
        for (ClDevice d : cl) {
            if (d.info().name().toLowerCase(Locale.ROOT).contains(lower)) {
                return new OpenClBackend(d);
            }
        }
        if ("java reference".contains(lower)) {
            return new JavaBackend(cl.size());
        }
        throw new IllegalArgumentException("no device matches '" + selector + "'; " + describe());
    }

    private static String describe() {
        StringBuilder sb = new StringBuilder("devices:");
        for (DeviceInfo info : listDevices()) {
            sb.append("\n  ").append(info.summary());
        }
        Optional<String> reason = openClUnavailableReason();
        reason.ifPresent(r -> sb.append("\n  (no OpenCL: ").append(r).append(')'));
        return sb.toString();
    }

    /** OpenCL devices, empty when OpenCL cannot load or discovery fails (the reason says why). */
    private static List<ClDevice> openClDevices() {
        if (OpenClLibrary.unavailableReason().isPresent()) {
            return List.of();
        }
        try {
            return ClDevices.list();
        } catch (EngineException e) {
            return List.of();
        }
    }
}
