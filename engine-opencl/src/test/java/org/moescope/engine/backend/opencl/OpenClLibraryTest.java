package org.moescope.engine.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.backend.EngineException;

/** Locating libOpenCL.so.1 and giving a copy the soname JOCL asks for. */
class OpenClLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void searchDirsFollowLinkerOrderWithoutDuplicates() {
        List<String> ldconfig = List.of(
                "123 libs found in cache `/etc/ld.so.cache'",
                "\tlibOpenCL.so.1 (libc6,x86-64) => /opt/vendor/lib64/libOpenCL.so.1",
                "\tlibz.so.1 (libc6,x86-64) => /somewhere/else/libz.so.1",
                "\tlibOpenCL.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libOpenCL.so.1");
        List<Path> dirs = OpenClLibrary.searchDirs("/first:: /second :/first", ldconfig);
        assertEquals(List.of(Path.of("/first"), Path.of("/second"), Path.of("/opt/vendor/lib64"),
                Path.of("/usr/lib/x86_64-linux-gnu")), dirs.subList(0, 4));
        assertTrue(dirs.containsAll(OpenClLibrary.STANDARD_DIRS));
        assertEquals(dirs.size(), dirs.stream().distinct().count());
        assertTrue(!dirs.contains(Path.of("/somewhere/else")), "non-OpenCL ldconfig entries are ignored");
    }

    @Test
    void searchDirsWithoutEnvironmentAreTheStandardDirs() {
        assertEquals(OpenClLibrary.STANDARD_DIRS, OpenClLibrary.searchDirs(null, List.of()));
    }

    @Test
    void findTakesTheFirst64BitElfInOrder() throws IOException {
        Path missing = tmp.resolve("missing");
        Path text = Files.createDirectories(tmp.resolve("text"));
        Path elf32 = Files.createDirectories(tmp.resolve("elf32"));
        Path good = Files.createDirectories(tmp.resolve("good"));
        Path later = Files.createDirectories(tmp.resolve("later"));
        Files.writeString(text.resolve("libOpenCL.so.1"), "INPUT(-lOpenCL)");
        Files.write(elf32.resolve("libOpenCL.so.1"), new byte[] {0x7f, 'E', 'L', 'F', 1, 1});
        Files.write(good.resolve("libOpenCL.so.1"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1});
        Files.write(later.resolve("libOpenCL.so.1"), new byte[] {0x7f, 'E', 'L', 'F', 2, 1});
        assertEquals(Optional.of(good.resolve("libOpenCL.so.1")),
                OpenClLibrary.find("libOpenCL.so.1", List.of(missing, text, elf32, good, later)));
        assertEquals(Optional.empty(), OpenClLibrary.find("libOpenCL.so", List.of(missing, text, good)));
    }

    @Test
    void decidesBetweenJoclsOwnLookupTheRenamedRuntimeAndAClearFailure() throws IOException {
        byte[] elf64 = {0x7f, 'E', 'L', 'F', 2, 1};
        Path dev = Files.createDirectories(tmp.resolve("dev"));
        Path runtime = Files.createDirectories(tmp.resolve("runtime"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.write(dev.resolve("libOpenCL.so"), elf64);
        Files.write(runtime.resolve("libOpenCL.so.1"), elf64);
        assertEquals(Optional.empty(), OpenClLibrary.runtimeToRename(List.of(runtime, dev)),
                "with the -dev name present JOCL loads it itself");
        assertEquals(Optional.of(runtime.resolve("libOpenCL.so.1")),
                OpenClLibrary.runtimeToRename(List.of(empty, runtime)));
        EngineException e = assertThrows(EngineException.class, () -> OpenClLibrary.runtimeToRename(List.of(empty)));
        assertTrue(e.getMessage().contains("ocl-icd-libopencl1"), e.getMessage());
        assertTrue(e.getMessage().contains("pocl-opencl-icd"), e.getMessage());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }

    @Test
    void sonameIsShortenedInACopy() throws IOException {
        Path lib = tmp.resolve("libOpenCL.so.1");
        Files.write(lib, syntheticLibrary("libOpenCL.so.1"));
        Path copy = tmp.resolve("libOpenCL.so");
        ElfSoname.writeWithShorterSoname(lib, copy, "libOpenCL.so");
        assertEquals(Optional.of("libOpenCL.so"), ElfSoname.read(copy));
        assertEquals(Optional.of("libOpenCL.so.1"), ElfSoname.read(lib), "the original is untouched");
        assertEquals(Files.size(lib), Files.size(copy));
    }

    @Test
    void sonameChangesThatAreNotPrefixesOrNotElfAreRefused() throws IOException {
        Path lib = tmp.resolve("libfoo.so.1");
        Files.write(lib, syntheticLibrary("libfoo.so.1"));
        IOException notPrefix = assertThrows(IOException.class,
                () -> ElfSoname.writeWithShorterSoname(lib, tmp.resolve("x"), "libOpenCL.so"));
        assertTrue(notPrefix.getMessage().contains("libfoo.so.1"), notPrefix.getMessage());
        Path text = tmp.resolve("script.so");
        Files.writeString(text, "/* GNU ld script */ INPUT(libOpenCL.so.1)");
        IOException notElf = assertThrows(IOException.class, () -> ElfSoname.read(text));
        assertTrue(notElf.getMessage().contains("not an ELF file"), notElf.getMessage());
    }

    /** The installed ICD loader, when there is one, gets a loadable copy named for JOCL. */
    @Test
    void installedLoaderCopyHasTheJoclSoname() throws IOException {
        Optional<Path> installed = OpenClLibrary.find(OpenClLibrary.RUNTIME_NAME,
                OpenClLibrary.searchDirs(System.getenv("LD_LIBRARY_PATH"), List.of()));
        Assumptions.assumeTrue(installed.isPresent(), "no libOpenCL.so.1 installed");
        assertEquals(Optional.of(OpenClLibrary.RUNTIME_NAME), ElfSoname.read(installed.get()));
        Path copy = OpenClLibrary.renamedCopy(installed.get());
        assertEquals(Optional.of(OpenClLibrary.LINK_NAME), ElfSoname.read(copy));
        assertEquals(OpenClLibrary.LINK_NAME, copy.getFileName().toString());
    }

    @Test
    void installHintNamesThePackages() {
        assertTrue(OpenClLibrary.INSTALL_HINT.contains("ocl-icd-libopencl1"));
        assertTrue(OpenClLibrary.INSTALL_HINT.contains("pocl-opencl-icd"));
    }

    /**
     * A minimal 64-bit little-endian ELF image: header, a PT_LOAD mapping the file at 0x400000, a PT_DYNAMIC with
     * DT_STRTAB, DT_SONAME, DT_NULL, and the string table.
     */
    private static byte[] syntheticLibrary(String soname) {
        int phoff = 64;
        int dynOff = phoff + 2 * 56;
        int strOff = dynOff + 3 * 16;
        byte[] name = soname.getBytes(StandardCharsets.US_ASCII);
        int size = strOff + 1 + name.length + 1;
        long base = 0x400000;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(0x10, (short) 3).putShort(0x12, (short) 62).putInt(0x14, 1);
        b.putLong(0x20, phoff).putShort(0x34, (short) 64).putShort(0x36, (short) 56).putShort(0x38, (short) 2);
        b.putInt(phoff, 1).putLong(phoff + 8, 0).putLong(phoff + 16, base).putLong(phoff + 32, size);
        int dyn = phoff + 56;
        b.putInt(dyn, 2).putLong(dyn + 8, dynOff).putLong(dyn + 16, base + dynOff).putLong(dyn + 32, 3 * 16);
        b.putLong(dynOff, 5).putLong(dynOff + 8, base + strOff);
        b.putLong(dynOff + 16, 14).putLong(dynOff + 24, 1);
        b.putLong(dynOff + 32, 0).putLong(dynOff + 40, 0);
        b.position(strOff + 1);
        b.put(name);
        return b.array();
    }
}
