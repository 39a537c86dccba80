package org.moescope.engine.backend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory a device may hold, and where that figure comes from, for the checks that refuse a model before
 * allocating it.
 *
 * <p>A device that works in host memory (a CPU device, or a GPU with host-unified memory) is limited by the host's
 * memory, so its budget is the host's {@code MemTotal}: a figure that stays the same from run to run. The
 * {@code CL_DEVICE_GLOBAL_MEM_SIZE} such a runtime reports does not (POCL derives it from the memory free when it
 * starts). {@code MemAvailable} only warns: what is free now changes with every other program. A discrete GPU is
 * limited by its own global memory; the Java reference device by the Java heap.
 *
 * @param bytes          the most the device may hold
 * @param availableBytes the host's memory free now for a device that shares it; -1 where that does not apply
 * @param source         which figure {@code bytes} is and where it came from, a clause for messages
 */
public record MemoryBudget(long bytes, long availableBytes, String source) {
    /** Where Linux reports the host's memory. */
    public static final Path MEMINFO = Path.of("/proc/meminfo");

    private static final Pattern MEMINFO_LINE = Pattern.compile("(?m)^(\\w+):\\s+(\\d+)\\s*kB\\s*$");

    public MemoryBudget {
        if (bytes <= 0) {
            throw new IllegalArgumentException("a memory budget must be positive, got " + bytes);
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("a memory budget needs the source of its figure");
        }
    }

    /** The budget of {@code device} on this machine (reads {@link #MEMINFO} for a device that shares host memory). */
    public static MemoryBudget of(DeviceInfo device) {
        return of(device, readMeminfo(MEMINFO));
    }

    /**
     * The budget of {@code device} given the text of {@code /proc/meminfo} (empty where it is missing or unreadable:
     * the device's own figure is then the only one there is).
     */
    public static MemoryBudget of(DeviceInfo device, Optional<String> meminfo) {
        String what = describeDevice(device);
        if ("REFERENCE".equals(device.kind())) {
            return new MemoryBudget(device.globalMemBytes(), -1,
                    what + " holds at most the Java heap's " + gib(device.globalMemBytes()) + " (raise it with -Xmx)");
        }
        boolean sharesHost = "CPU".equals(device.kind()) || device.hostUnifiedMemory();
        if (sharesHost) {
            long total = meminfo.flatMap(text -> field(text, "MemTotal")).orElse(-1L);
            if (total > 0) {
                long available = meminfo.flatMap(text -> field(text, "MemAvailable")).orElse(-1L);
                return new MemoryBudget(total, available,
                        what + " shares the host's " + gib(total) + " of memory (MemTotal in " + MEMINFO + ")");
            }
            return new MemoryBudget(device.globalMemBytes(), -1, what + " reports " + gib(device.globalMemBytes())
                    + " of global memory (CL_DEVICE_GLOBAL_MEM_SIZE; the host's MemTotal could not be read from "
                    + MEMINFO + ")");
        }
        return new MemoryBudget(device.globalMemBytes(), -1,
                what + " has " + gib(device.globalMemBytes()) + " of global memory (CL_DEVICE_GLOBAL_MEM_SIZE)");
    }

    /** Whether {@code neededBytes} fit the budget. */
    public boolean fits(long neededBytes) {
        return neededBytes <= bytes;
    }

    /**
     * The sentence that refuses {@code what} (such as "the model's weights"), which need {@code neededBytes}: the
     * figure used, where it came from, and what to do instead.
     */
    public String refusal(String what, long neededBytes) {
        return "out of device memory: " + what + " need " + gib(neededBytes) + "; " + source + ". " + ADVICE;
    }

    /** What a user can change when a model does not fit. */
    public static final String ADVICE = "Use fewer layers (--layers N, or preset:N), a smaller dtype or a quantized "
            + "GGUF (moescope convert), or another device (--device).";

    /** A warning when {@code neededBytes} fit the budget but not the host memory free now. */
    public Optional<String> warning(String what, long neededBytes) {
        if (availableBytes < 0 || neededBytes <= availableBytes || !fits(neededBytes)) {
            return Optional.empty();
        }
        return Optional.of(what + " need " + gib(neededBytes) + " but only " + gib(availableBytes)
                + " of the host's memory is free now (MemAvailable in " + MEMINFO
                + "); loading may swap or fail. Close other programs first, or: " + ADVICE);
    }

    /** A field of /proc/meminfo in bytes ("MemTotal:  24683664 kB"). */
    static Optional<Long> field(String meminfo, String name) {
        Matcher m = MEMINFO_LINE.matcher(meminfo);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                try {
                    return Optional.of(Math.multiplyExact(Long.parseLong(m.group(2)), 1024L));
                } catch (ArithmeticException | NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    static Optional<String> readMeminfo(Path path) {
        try {
            return Optional.of(Files.readString(path, StandardCharsets.US_ASCII));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static String describeDevice(DeviceInfo device) {
        return switch (device.kind()) {
            case "REFERENCE" -> "the Java reference device";
            case "CPU" -> "this CPU device (" + device.name() + ")";
            case "GPU" -> "this GPU (" + device.name() + ")";
            default -> "this device (" + device.name() + ")";
        };
    }

    /** "23.44 GiB" or "512.0 MiB". */
    public static String gib(long bytes) {
        if (bytes >= (1L << 30)) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
