package org.moescope.app.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;
import org.moescope.engine.backend.DeviceMemoryException;
import org.moescope.engine.backend.EngineException;

/** Turns an engine failure into a sentence for the user (no stack trace). */
public final class ErrorMessages {
    /** The launcher passes this variable's options to the JVM; -Xmx there raises the Java heap. */
    public static final String JAVA_OPTS_VARIABLE = "MOESCOPE_JAVA_OPTS";

    private ErrorMessages() {
    }

    public static String describe(String action, Throwable error) {
        Throwable t = unwrap(error);
        String detail = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
        if (t instanceof OutOfMemoryError) {
            return action + " failed: " + javaHeapAdvice();
        }
        if (isOutOfDeviceMemory(t)) {
            // the engine's message names the buffer and the bytes; say what the user can change
            if (isOutOfJavaHeap(t)) {
                return action + " failed: " + detail + ". " + javaHeapAdvice();
            }
            return action + " failed: " + detail + ". Try a model with fewer layers (preset:N), a smaller batch or "
                    + "prompt, or another device.";
        }
        IOException io = t instanceof IOException i ? i : t instanceof UncheckedIOException u ? u.getCause() : null;
        if (io != null) {
            return action + " failed: " + ioMessage(io);
        }
        if (t instanceof EngineException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return action + " failed: " + detail;
        }
        return action + " failed (" + t.getClass().getSimpleName() + "): " + detail;
    }

    /** The failure inside the wrappers that executors and reflection add. */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Whether the device ran out of memory: a {@link DeviceMemoryException} anywhere in the causes, the engine's
     * refusal of weights larger than the device (an EngineException that says "out of device memory"), or an OpenCL
     * error that means it (an enqueue that failed with CL_OUT_OF_RESOURCES, for one).
     */
    public static boolean isOutOfDeviceMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof DeviceMemoryException) {
                return true;
            }
            String m = t.getMessage();
            if (t instanceof EngineException && m != null && (m.toLowerCase(Locale.ROOT).contains("out of device memory")
                    || m.contains("CL_MEM_OBJECT_ALLOCATION_FAILURE") || m.contains("CL_OUT_OF_RESOURCES")
                    || m.contains("CL_OUT_OF_HOST_MEMORY"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** Whether the failure is the Java heap (the Java reference's "device" memory, or any Java allocation). */
    public static boolean isOutOfJavaHeap(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError
                    || (t.getMessage() != null && t.getMessage().contains("Java heap exhausted"))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** What to do when the Java heap is full: its current maximum and the launcher variable that raises it. */
    public static String javaHeapAdvice() {
        return String.format(Locale.ROOT, "the Java heap is exhausted (its maximum is %.1f GiB). Raise it with "
                + "%s=-Xmx16g (or more) before ./moescope, or use an OpenCL device (--device), whose memory is not "
                + "the Java heap", Runtime.getRuntime().maxMemory() / (double) (1L << 30), JAVA_OPTS_VARIABLE);
    }

    /** "FILE: reason", e.g. "/proc/x.json: permission denied" (NIO's own messages are often the bare path). */
    public static String ioMessage(IOException e) {
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            String where = fs.getOtherFile() == null ? fs.getFile() : fs.getFile() + " -> " + fs.getOtherFile();
            return where + ": " + ioReason(e);
        }
        return ioReason(e);
    }

    /**
     * Why a file operation failed, in words: NIO's NoSuchFileException and AccessDeniedException carry only the path,
     * so the reason comes from the type, else from the operating system's reason ("Read-only file system").
     */
    public static String ioReason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or folder (a folder on the way does not exist, or the file system does not allow "
                    + "new files there)";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "the folder is not empty";
        }
        if (e instanceof FileSystemLoopException) {
            return "the path loops through links";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null && !fs.getReason().isBlank()) {
            return fs.getReason();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
