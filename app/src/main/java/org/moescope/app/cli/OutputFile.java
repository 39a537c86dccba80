package org.moescope.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.moescope.app.service.ErrorMessages;

/**
 * Checks an output path (--json, --to-gguf) before anything loads, so a run of minutes does not end in "cannot write".
 * Neither creates nor truncates the target: it creates and deletes a probe file in the folder the target goes to,
 * because permission bits alone do not tell (root passes them everywhere, /proc and read-only mounts refuse anyway).
 */
final class OutputFile {
    private OutputFile() {
    }

    /**
     * Refuses a target that is a folder, an existing file that cannot be written, or a folder that cannot take a new
     * file. With {@code createsFolders} the writer makes missing folders, so the nearest existing one is probed;
     * otherwise the target's folder must exist.
     */
    static void check(String command, String option, Path target, boolean createsFolders) {
        String what = command + ": " + option + " " + target;
        if (Files.isDirectory(target)) {
            throw new CliArgs.UsageException(what + " is a folder; give a file name");
        }
        if (Files.exists(target) && !Files.isWritable(target)) {
            throw new CliArgs.UsageException(what + ": the file exists and is not writable (permission denied)");
        }
        Path dir = target.toAbsolutePath().normalize().getParent();
        if (dir == null) {
            throw new CliArgs.UsageException(what + ": give a file name");
        }
        if (!Files.isDirectory(dir)) {
            Path existing = dir;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (!createsFolders || existing == null) {
                throw new CliArgs.UsageException(what + ": the folder " + dir + " does not exist");
            }
            if (!Files.isDirectory(existing)) {
                throw new CliArgs.UsageException(what + ": " + existing + " is a file, not a folder");
            }
            dir = existing;
        }
        Path probe = null;
        try {
            probe = Files.createTempFile(dir, ".moescope-write-check-", ".tmp");
        } catch (IOException e) {
            throw new CliArgs.UsageException(what + ": cannot create a file in " + dir + ": "
                    + ErrorMessages.ioReason(e));
        } finally {
            if (probe != null) {
                try {
                    Files.deleteIfExists(probe);
                } catch (IOException ignored) {
                    // an empty hidden file left behind is harmless; the check itself passed
                }
            }
        }
    }
}
