package org.moescope.app.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileWriterTest {
    @TempDir
    Path dir;

    private final Random random = new Random(16);

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private List<Path> filesIn(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writesANewFileAndLeavesNothingElse() throws IOException {
        Path file = dir.resolve("trace.json");
        byte[] content = bytes(200_000);
        AtomicFileWriter.write(file, out -> out.write(content));
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir), "no temporary file is left behind");
    }

    @Test
    void theOldFileStaysWholeWhileTheNewOneIsWrittenAndIsThenReplaced() throws IOException {
        Path file = dir.resolve("routing.csv");
        byte[] old = bytes(100_000);
        Files.write(file, old);
        byte[] content = bytes(300_000);
        AtomicFileWriter.write(file, out -> {
            out.write(content, 0, 150_000);
            out.flush();
            assertArrayEquals(old, Files.readAllBytes(file), "mid-write, the old file is untouched");
            List<Path> files = filesIn(dir);
            assertEquals(2, files.size(), "the new content goes to a second file in the same folder: " + files);
            Path temp = files.stream().filter(p -> !p.equals(file)).findFirst().orElseThrow();
            assertTrue(AtomicFileWriter.isTempFileOf(file, temp), temp.toString());
            assertTrue(temp.getFileName().toString().startsWith("."), "hidden: " + temp);
            out.write(content, 150_000, 150_000);
        });
        assertArrayEquals(content, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir));
    }

    @Test
    void aWriterThatFailsMidwayLeavesTheOldFileByteIdenticalAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("chart.png");
        byte[] old = bytes(70_000);
        Files.write(file, old);
        IOException failure = new IOException("disk full");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFileWriter.write(file, out -> {
            out.write(bytes(200_000));   // more than the buffer: part of it is on disk already
            throw failure;
        }));
        assertSame(failure, thrown, "the writer's own exception comes out");
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir), "the temporary file is deleted");

        RuntimeException bug = new IllegalStateException("bug in the exporter");
        assertSame(bug, assertThrows(IllegalStateException.class, () -> AtomicFileWriter.writeText(file, out -> {
            out.write("half a record,");
            throw bug;
        })));
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir));
    }

    @Test
    void aFailedFirstWriteCreatesNoFile() throws IOException {
        Path file = dir.resolve("score.json");
        assertThrows(IOException.class, () -> AtomicFileWriter.write(file, out -> {
            out.write(bytes(10));
            throw new IOException("cancelled");
        }));
        assertFalse(Files.exists(file));
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void aCancelledExportThreadStopsAndKeepsTheOldFile() throws IOException {
        Path file = dir.resolve("trace.json");
        byte[] old = bytes(5_000);
        Files.write(file, old);
        // what ExportActions' cancel does to the writing thread: interrupt it
        Thread.currentThread().interrupt();
        try {
            assertThrows(ClosedByInterruptException.class, () -> AtomicFileWriter.write(file, out -> out.write(bytes(1_000))));
        } finally {
            Thread.interrupted();
        }
        assertArrayEquals(old, Files.readAllBytes(file));
        assertEquals(List.of(file), filesIn(dir));
    }

    @Test
    void aFolderIsNotReplaced() throws IOException {
        Path folder = Files.createDirectory(dir.resolve("out.json"));
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFileWriter.writeString(folder, "{}"));
        assertTrue(e.getMessage().contains("is a folder"), e.getMessage());
        assertTrue(Files.isDirectory(folder));
        assertEquals(List.of(folder), filesIn(dir));
    }

    @Test
    void aMissingFolderIsReportedAboutTheTargetNotTheTemporaryFile() {
        Path file = dir.resolve("no-such-folder").resolve("bench.json");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> AtomicFileWriter.writeString(file, "{}"));
        assertEquals(file.toString(), e.getFile());
        assertEquals("the folder " + file.getParent() + " does not exist", e.getReason());
        assertFalse(Files.exists(file.getParent()));
    }

    @Test
    void aFolderThatTakesNoNewFilesIsSaidSo() {
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "Linux /proc");
        Path file = proc.resolve("score.json");
        // root is refused with ENOENT (NoSuchFileException), other users with EACCES first
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFileWriter.writeString(file, "{}"));
        assertEquals(file.toString(), e.getFile(), "the error names the file asked for, not a temporary one");
        if (e instanceof NoSuchFileException) {
            assertEquals("the folder /proc does not take new files", e.getReason());
        }
    }

    @Test
    void aSymbolicLinkIsFollowedAndStaysALink() throws IOException {
        Path real = dir.resolve("real.csv");
        Files.writeString(real, "old");
        Path link = Files.createSymbolicLink(dir.resolve("link.csv"), real);
        AtomicFileWriter.writeString(link, "new");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("new", Files.readString(real, StandardCharsets.UTF_8));
        assertEquals(List.of(link, real), filesIn(dir));
    }

    @Test
    void theReplacedFilesPermissionsCarryOver() throws IOException {
        Path file = dir.resolve("shared.json");
        Files.writeString(file, "old");
        var mode = PosixFilePermissions.fromString("rw-r-----");
        Files.setPosixFilePermissions(file, mode);
        AtomicFileWriter.writeString(file, "new");
        assertEquals("new", Files.readString(file));
        assertEquals(mode, Files.getPosixFilePermissions(file));
    }
}
