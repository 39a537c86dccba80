package org.moescope.engine.backend.opencl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jocl.CL;
import org.moescope.engine.backend.EngineException;

/**
 * Makes the system's OpenCL ICD loader available to JOCL.
 *
 * <p>JOCL 2.0.5 asks the dynamic linker for {@code libOpenCL.so} only, a name Debian and Ubuntu ship in the
 * {@code -dev} package; runtime systems have just {@code libOpenCL.so.1}. When {@code libOpenCL.so} is not
 * resolvable, this class finds {@code libOpenCL.so.1} (LD_LIBRARY_PATH, the ldconfig cache, the standard library
 * directories), writes a private copy whose soname is {@code libOpenCL.so} and loads it: glibc then answers JOCL's
 * {@code dlopen("libOpenCL.so")} with the already loaded copy (it matches loaded objects by soname).
 * Otherwise it fails once, with a message naming the package to install.
 */
public final class OpenClLibrary {
    static final String LINK_NAME = "libOpenCL.so";
    static final String RUNTIME_NAME = "libOpenCL.so.1";
    static final List<Path> STANDARD_DIRS = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"),
            Path.of("/usr/lib"), Path.of("/lib/x86_64-linux-gnu"), Path.of("/lib64"), Path.of("/lib"),
            Path.of("/usr/local/lib"));
    static final String INSTALL_HINT = "install the OpenCL ICD loader and a driver: on Debian/Ubuntu "
            + "'sudo apt install ocl-icd-libopencl1 pocl-opencl-icd' (CPU), or your GPU vendor's OpenCL ICD; "
            + "on Fedora 'sudo dnf install ocl-icd pocl'";

    private static String failure;
    private static boolean loaded;

    private OpenClLibrary() {
    }

    /** Loads OpenCL once; throws {@link EngineException} with the reason (and what to install) when it cannot. */
    public static synchronized void ensureLoaded() {
        if (loaded) {
            return;
        }
        if (failure == null) {
            try {
                load();
                loaded = true;
                return;
            } catch (EngineException e) {
                failure = e.getMessage();
            } catch (LinkageError e) {
                failure = "JOCL could not load OpenCL (" + e.getMessage() + "); " + INSTALL_HINT;
            }
        }
        throw new EngineException(failure);
    }

    /** Why OpenCL cannot be used, or empty when it loads. */
    public static Optional<String> unavailableReason() {
        try {
            ensureLoaded();
            return Optional.empty();
        } catch (EngineException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static void load() {
        boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (linux) {
            Optional<Path> runtime = runtimeToRename(searchDirs(System.getenv("LD_LIBRARY_PATH"), ldconfigCache()));
            if (runtime.isPresent()) {
                System.load(renamedCopy(runtime.get()).toString());
            }
        }
        // Triggers JOCL's native initialisation, which dlopens libOpenCL.so.
        CL.stringFor_errorCode(CL.CL_SUCCESS);
    }

    /**
     * Directories the library may be in, in the dynamic linker's order: LD_LIBRARY_PATH, the directories of the
     * ldconfig cache's OpenCL entries, then the standard directories. Duplicates and empty entries are dropped.
     */
    static List<Path> searchDirs(String ldLibraryPath, List<String> ldconfigLines) {
        Set<Path> dirs = new LinkedHashSet<>();
        if (ldLibraryPath != null) {
            for (String dir : ldLibraryPath.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir.trim()));
                }
            }
        }
        for (String line : ldconfigLines) {
            int arrow = line.indexOf("=>");
            if (line.contains("libOpenCL.so") && arrow >= 0) {
                Path parent = Path.of(line.substring(arrow + 2).trim()).getParent();
                if (parent != null) {
                    dirs.add(parent);
                }
            }
        }
        dirs.addAll(STANDARD_DIRS);
        return List.copyOf(dirs);
    }

    /** The first {@code dir/fileName} that exists and is a 64-bit ELF file (32-bit multilib copies are skipped). */
    static Optional<Path> find(String fileName, List<Path> dirs) {
        for (Path dir : dirs) {
            Path candidate = dir.resolve(fileName);
            if (Files.isRegularFile(candidate) && isElf64(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * What to do in {@code dirs}: empty when {@value #LINK_NAME} is there (JOCL finds it itself), else the
     * {@value #RUNTIME_NAME} to load under JOCL's name; throws {@link EngineException} naming the packages when
     * neither is there.
     */
    static Optional<Path> runtimeToRename(List<Path> dirs) {
        if (find(LINK_NAME, dirs).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(find(RUNTIME_NAME, dirs).orElseThrow(() -> new EngineException(
                "no OpenCL library found (looked for " + RUNTIME_NAME + " in " + dirs + "); " + INSTALL_HINT)));
    }

    private static boolean isElf64(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] header = in.readNBytes(5);
            return header.length == 5 && header[0] == 0x7f && header[1] == 'E' && header[2] == 'L' && header[3] == 'F'
                    && header[4] == 2;
        } catch (IOException e) {
            return false;
        }
    }

    /** A private copy of {@code runtime} whose soname is {@value #LINK_NAME}, deleted when the JVM exits. */
    static Path renamedCopy(Path runtime) {
        try {
            Path dir = Files.createTempDirectory("moescope-opencl");
            Path copy = dir.resolve(LINK_NAME);
            ElfSoname.writeWithShorterSoname(runtime.toRealPath(), copy, LINK_NAME);
            dir.toFile().deleteOnExit();
            copy.toFile().deleteOnExit();
            return copy;
        } catch (IOException e) {
            throw new EngineException("cannot prepare " + runtime + " for JOCL: " + e.getMessage() + "; or "
                    + "install the -dev package that provides " + LINK_NAME + " (Debian/Ubuntu: ocl-icd-opencl-dev)", e);
        }
    }

    /** Lines of {@code ldconfig -p}, empty when ldconfig is not available. */
    private static List<String> ldconfigCache() {
        for (String ldconfig : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig")) {
            try {
                Process p = new ProcessBuilder(ldconfig, "-p").redirectErrorStream(true).start();
                List<String> lines = new ArrayList<>();
                try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                }
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return lines;
                }
            } catch (IOException e) {
                // try the next location
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            }
        }
        return List.of();
    }
}
