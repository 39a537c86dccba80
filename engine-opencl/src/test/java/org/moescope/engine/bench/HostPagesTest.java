package org.moescope.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading the kernel's THP setting and a process's huge pages, and what a report says about them. */
class HostPagesTest {

    @Test
    void parsesTheSelectedModeOfTheKernelsSetting() {
        assertEquals("madvise", HostPages.parseMode("always [madvise] never\n"));
        assertEquals("always", HostPages.parseMode("[always] madvise never\n"));
        assertEquals("never", HostPages.parseMode("always madvise [never]\n"));
        assertEquals("unknown", HostPages.parseMode(null));
        assertEquals("unknown", HostPages.parseMode("always madvise never"));
    }

    @Test
    void parsesAnonHugePagesInBytes() {
        String rollup = """
                55d0c0a00000-7ffd5b1f5000 ---p 00000000 00:00 0                          [rollup]
                Rss:             1843712 kB
                AnonHugePages:    501760 kB
                ShmemPmdMapped:        0 kB
                """;
        assertEquals(501760L * 1024, HostPages.parseAnonHugeBytes(rollup));
        assertEquals(0, HostPages.parseAnonHugeBytes("AnonHugePages:         0 kB\n"));
        assertEquals(-1, HostPages.parseAnonHugeBytes("Rss: 12 kB\n"));
        assertEquals(-1, HostPages.parseAnonHugeBytes(null));
    }

    @Test
    void recognisesTheGlibcRequestAmongOtherTunables() {
        assertTrue(new HostPages("madvise", "glibc.malloc.hugetlb=1", 0).mallocRequested());
        assertTrue(new HostPages("madvise", "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1", 0).mallocRequested());
        assertTrue(new HostPages("madvise", "glibc.malloc.hugetlb=2:glibc.malloc.arena_max=2", 0).mallocRequested());
        assertFalse(new HostPages("madvise", "glibc.malloc.hugetlb=0", 0).mallocRequested());
        assertFalse(new HostPages("madvise", "glibc.malloc.hugetlb=10", 0).mallocRequested());
        assertFalse(new HostPages("madvise", "", 0).mallocRequested());
        assertFalse(new HostPages("madvise", null, 0).mallocRequested());
    }

    @Test
    void keepsTheLargerPeakAndTheSetting() {
        HostPages small = new HostPages("madvise", "glibc.malloc.hugetlb=1", 4L << 20);
        HostPages large = new HostPages("madvise", "glibc.malloc.hugetlb=1", 900L << 20);
        assertEquals(900L << 20, small.max(large).peakBytes());
        assertSame(large, large.max(small));
        assertSame(small, small.max(null));
        assertEquals(4L << 20, new HostPages("never", "", -1).max(small).peakBytes());
    }

    @Test
    void describesWhatWasAskedAndWhatWasGot() {
        assertEquals("transparent huge pages madvise, glibc.malloc.hugetlb requested; peak 1024 MiB of this "
                + "process seen on them", new HostPages("madvise", "glibc.malloc.hugetlb=1", 1L << 30).describe());
        assertEquals("transparent huge pages unknown, not requested from glibc; huge pages in use unknown",
                new HostPages(null, null, -1).describe());
    }

    @Test
    void samplesThisProcessWithoutFailing() {
        HostPages now = HostPages.sample();
        assertTrue(now.peakBytes() >= -1);
        assertFalse(now.mode().isBlank());
    }
}
