package org.moescope.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether this process's large host allocations were on 2 MiB transparent huge pages. On a CPU OpenCL device the
 * weights are host memory that the OpenCL runtime allocates with malloc, and in a virtual machine every 4 KiB TLB miss
 * costs a two-level page walk: a streaming read of this VM's DRAM ran 1.05-1.7x faster on huge pages
 * (docs/benchmarks.md). The {@code moescope} launcher asks glibc for them ({@code GLIBC_TUNABLES=glibc.malloc.hugetlb=1});
 * a report says whether the process got them, because its memory-bound figures depend on it.
 *
 * @param mode      the kernel's THP setting: "always", "madvise" or "never"; "unknown" where it cannot be read
 * @param tunables  GLIBC_TUNABLES as this process saw it, "" when unset
 * @param peakBytes the most of this process's anonymous memory seen on huge pages at a sample; -1 when unknown
 */
public record HostPages(String mode, String tunables, long peakBytes) {

    private static final Path THP_ENABLED = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
    private static final Path SMAPS_ROLLUP = Path.of("/proc/self/smaps_rollup");
    private static final Pattern SELECTED = Pattern.compile("\\[(\\w+)]");
    private static final Pattern ANON_HUGE = Pattern.compile("(?m)^AnonHugePages:\\s+(\\d+) kB");

    public HostPages {
        mode = mode == null || mode.isBlank() ? "unknown" : mode;
        tunables = tunables == null ? "" : tunables;
    }

    /** This host's setting and this process's huge pages right now. */
    public static HostPages sample() {
        String tunables = System.getenv("GLIBC_TUNABLES");
        return new HostPages(parseMode(read(THP_ENABLED)), tunables, parseAnonHugeBytes(read(SMAPS_ROLLUP)));
    }

    /** The same setting with the larger of the two peaks: a run samples between its parts and keeps the most. */
    public HostPages max(HostPages other) {
        return other == null || other.peakBytes <= peakBytes ? this : new HostPages(mode, tunables, other.peakBytes);
    }

    /** Whether glibc was asked to put malloc's large blocks on transparent huge pages. */
    public boolean mallocRequested() {
        return tunables.matches("(^|.*:)glibc\\.malloc\\.hugetlb=[12](:.*|$)");
    }

    /** The selected value of the kernel's "always [madvise] never" line; "unknown" when absent or unreadable. */
    static String parseMode(String enabledFile) {
        Matcher m = SELECTED.matcher(enabledFile == null ? "" : enabledFile);
        return m.find() ? m.group(1) : "unknown";
    }

    /** AnonHugePages of a smaps_rollup text in bytes; -1 when absent or unreadable. */
    static long parseAnonHugeBytes(String smapsRollup) {
        Matcher m = ANON_HUGE.matcher(smapsRollup == null ? "" : smapsRollup);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    /** One line for a report: what was asked for and what the process got. */
    public String describe() {
        String asked = mallocRequested() ? "glibc.malloc.hugetlb requested" : "not requested from glibc";
        String got = peakBytes < 0 ? "huge pages in use unknown"
                : String.format(java.util.Locale.ROOT, "peak %.0f MiB of this process seen on them", peakBytes / 1048576.0);
        return "transparent huge pages " + mode + ", " + asked + "; " + got;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException | SecurityException e) {
            return null;      // not Linux, or not allowed: reported as unknown
        }
    }
}
