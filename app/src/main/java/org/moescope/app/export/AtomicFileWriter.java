package org.moescope.app.export;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file all at once or not at all: the content goes to a hidden temporary file in the same folder, is forced
 * to disk, and is then renamed over the target (an atomic move; a plain replacing move where the file system has
 * none). A content writer that throws, an interrupt (a cancelled export) or a full disk deletes the temporary file
 * and leaves the old file as it was, byte for byte. Every file the app and the CLI write goes through here.
 */
public final class AtomicFileWriter {

    /** Writes the content to a stream that the caller must not close. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes the content as text (UTF-8) to a writer that the caller must not close. */
    @FunctionalInterface
    public interface TextContent {
        void writeTo(Writer out) throws IOException;
    }

    private static final String TEMP_SUFFIX = ".tmp";

    private AtomicFileWriter() {
    }

    /** Replaces {@code file} with {@code text} (UTF-8). */
    public static void writeString(Path file, String text) throws IOException {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Replaces {@code file} with the UTF-8 text that {@code content} writes. */
    public static void writeText(Path file, TextContent content) throws IOException {
        write(file, out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            content.writeTo(writer);
            writer.flush();
        });
    }

    /**
     * Replaces {@code file} with what {@code content} writes. The folder must exist. A symbolic link is followed: the
     * file it points to is replaced, the link stays.
     *
     * @throws IOException the content writer's, or why the file could not be written, naming {@code file}
     */
    public static void write(Path file, Content content) throws IOException {
        Path target = resolveLinks(file);
        if (Files.isDirectory(target)) {
            throw new FileSystemException(file.toString(), null, "is a folder, not a file");
        }
        Temp temp;
        try {
            temp = createTemp(target);
        } catch (IOException e) {
            throw naming(file, e);
        }
        boolean moved = false;
        try {
            keepPermissions(target, temp.path());
            try (FileChannel channel = temp.channel()) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                content.writeTo(out);
                out.flush();
                // on disk before the rename, so that a power cut never leaves an empty file under the old name
                channel.force(true);
            }
            move(temp.path(), target, file);
            moved = true;
        } finally {
            if (!moved) {
                deleteQuietly(temp.path());
            }
        }
    }

    /** Whether {@code name} is one of the temporary files this class writes for {@code target}'s name. */
    public static boolean isTempFileOf(Path target, Path name) {
        String n = name.getFileName().toString();
        return n.startsWith("." + target.getFileName() + ".") && n.endsWith(TEMP_SUFFIX);
    }

    private static Path resolveLinks(Path file) throws IOException {
        if (Files.isSymbolicLink(file) && Files.exists(file)) {
            return file.toRealPath();
        }
        return file;
    }

    private record Temp(Path path, FileChannel channel) {
    }

    /** A new hidden file beside {@code target}, created with the permissions any new file gets (not owner-only). */
    private static Temp createTemp(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        for (int attempt = 0; ; attempt++) {
            String random = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
            Path temp = dir.resolve(prefix + random + TEMP_SUFFIX);
            try {
                return new Temp(temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) {
                    throw e;
                }
            }
        }
    }

    private static void move(Path temp, Path target, Path file) throws IOException {
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw naming(file, e);
        }
    }

    /** The replaced file's permissions carry over, as they would when it was overwritten in place. */
    private static void keepPermissions(Path target, Path temp) {
        PosixFileAttributeView old = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        PosixFileAttributeView fresh = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
        if (old == null || fresh == null || !Files.exists(target)) {
            return;
        }
        try {
            fresh.setPermissions(old.readAttributes().permissions());
        } catch (IOException | UnsupportedOperationException e) {
            // the default permissions stay; the content matters more than its mode
        }
    }

    /**
     * The same kind of failure, about the user's file rather than the temporary one (whose name means nothing to
     * them); the reason (permission denied, no space left, read-only file system) is kept.
     */
    private static IOException naming(Path file, IOException e) {
        if (!(e instanceof FileSystemException f)) {
            return e;
        }
        String reason = f.getReason();
        FileSystemException named;
        if (e instanceof AccessDeniedException) {
            named = new AccessDeniedException(file.toString(), null, reason == null ? "permission denied" : reason);
        } else if (e instanceof NoSuchFileException) {
            Path dir = file.toAbsolutePath().getParent();
            named = new NoSuchFileException(file.toString(), null, reason != null ? reason
                    : dir != null && Files.isDirectory(dir) ? "the folder " + dir + " does not take new files"
                    : "the folder " + dir + " does not exist");
        } else if (e instanceof NotDirectoryException) {
            named = new FileSystemException(file.toString(), null, "a part of the path is not a folder");
        } else {
            named = new FileSystemException(file.toString(), null, reason);
        }
        named.initCause(e);
        return named;
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // the write has already failed; that failure is the one to report
        }
    }
}
