package org.moescope.engine.backend.opencl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads and shortens the DT_SONAME of a 64-bit little-endian ELF shared library (x86-64, arm64).
 * {@link OpenClLibrary} uses it to give a private copy of {@code libOpenCL.so.1} the soname {@code libOpenCL.so},
 * the name JOCL asks the dynamic linker for.
 */
final class ElfSoname {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final long DT_NULL = 0;
    private static final long DT_STRTAB = 5;
    private static final long DT_SONAME = 14;

    private ElfSoname() {
    }

    /** The soname of the library at {@code path}, empty when it has none. */
    static Optional<String> read(Path path) throws IOException {
        byte[] image = Files.readAllBytes(path);
        int offset = sonameOffset(image, path);
        return offset < 0 ? Optional.empty() : Optional.of(cString(image, offset));
    }

    /**
     * Writes a copy of {@code library} to {@code target} whose soname is {@code newSoname}, which must be a prefix of
     * the old one (it is shortened in place, so no section moves).
     */
    static void writeWithShorterSoname(Path library, Path target, String newSoname) throws IOException {
        byte[] image = Files.readAllBytes(library);
        int offset = sonameOffset(image, library);
        if (offset < 0) {
            throw new IOException(library + " has no DT_SONAME");
        }
        String old = cString(image, offset);
        if (!old.startsWith(newSoname)) {
            throw new IOException(library + " has soname '" + old + "', which does not start with '" + newSoname + "'");
        }
        image[offset + newSoname.getBytes(StandardCharsets.US_ASCII).length] = 0;
        Files.write(target, image);
    }

    /** File offset of the soname string, or -1 when the library has no DT_SONAME. */
    private static int sonameOffset(byte[] image, Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (image.length < 64 || b.getInt(0) != 0x464c457f) {
            throw new IOException(path + " is not an ELF file");
        }
        if (image[4] != 2 || image[5] != 1) {
            throw new IOException(path + " is not a 64-bit little-endian ELF file");
        }
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        long dynOffset = -1;
        long dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) == PT_DYNAMIC) {
                dynOffset = b.getLong(ph + 8);
                dynSize = b.getLong(ph + 32);
            }
        }
        if (dynOffset < 0) {
            throw new IOException(path + " has no dynamic section (not a shared library)");
        }
        long strtabAddr = -1;
        long soname = -1;
        for (long e = dynOffset; e + 16 <= dynOffset + dynSize; e += 16) {
            long tag = b.getLong(Math.toIntExact(e));
            long value = b.getLong(Math.toIntExact(e + 8));
            if (tag == DT_NULL) {
                break;
            } else if (tag == DT_STRTAB) {
                strtabAddr = value;
            } else if (tag == DT_SONAME) {
                soname = value;
            }
        }
        if (soname < 0) {
            return -1;
        }
        if (strtabAddr < 0) {
            throw new IOException(path + " has DT_SONAME but no DT_STRTAB");
        }
        return Math.toIntExact(fileOffset(b, phoff, phentsize, phnum, strtabAddr, path) + soname);
    }

    /** Maps a virtual address to a file offset through the PT_LOAD segments. */
    private static long fileOffset(ByteBuffer b, long phoff, int phentsize, int phnum, long vaddr, Path path)
            throws IOException {
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8);
            long segAddr = b.getLong(ph + 16);
            long fileSize = b.getLong(ph + 32);
            if (vaddr >= segAddr && vaddr < segAddr + fileSize) {
                return offset + (vaddr - segAddr);
            }
        }
        throw new IOException(path + ": address 0x" + Long.toHexString(vaddr) + " is in no loadable segment");
    }

    private static String cString(byte[] image, int offset) {
        int end = offset;
        while (end < image.length && image[end] != 0) {
            end++;
        }
        return new String(image, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
