package org.moescope.app.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher's shell functions (scripts/desktop-check.sh, scripts/launcher-build.sh), run by bash. */
class LauncherScriptsTest {

    private static final Path SCRIPTS = Path.of(System.getProperty("moescope.home", "..")).resolve("scripts");

    record Result(int exitCode, String stderr) {
    }

    private static Result bash(String script, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script).directory(SCRIPTS.toFile());
        pb.environment().remove("DISPLAY");
        pb.environment().remove("WAYLAND_DISPLAY");
        pb.environment().remove("MOESCOPE_SKIP_DESKTOP_CHECK");
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
        return new Result(p.exitValue(), err);
    }

    @Test
    void noDisplaySaysHowToGetOne() throws Exception {
        Result r = bash("source desktop-check.sh; moescope_check_desktop", Map.of());
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("no display") && r.stderr().contains("xvfb-run"), r.stderr());
        assertEquals(1, r.stderr().strip().lines().count(), "one sentence, no stack trace: " + r.stderr());
    }

    @Test
    void missingGtkNamesThePackages() throws Exception {
        Result r = bash("source desktop-check.sh; moescope_has_lib() { return 1; }; moescope_check_desktop",
                Map.of("DISPLAY", ":7"));
        assertEquals(1, r.exitCode());
        assertTrue(r.stderr().contains("apt-get install libgtk-3-0"), r.stderr());
        assertTrue(r.stderr().contains("dnf install gtk3"), r.stderr());
    }

    @Test
    void aDesktopWithDisplayAndGtkPasses() throws Exception {
        Result wayland = bash("source desktop-check.sh; moescope_has_lib() { return 0; }; moescope_check_desktop",
                Map.of("WAYLAND_DISPLAY", "wayland-0"));
        assertEquals(0, wayland.exitCode(), wayland.stderr());
        assertEquals("", wayland.stderr());
        Result skipped = bash("source desktop-check.sh; moescope_check_desktop", Map.of("MOESCOPE_SKIP_DESKTOP_CHECK", "1"));
        assertEquals(0, skipped.exitCode(), skipped.stderr());
    }

    @Test
    void hasLibFindsALibraryInLdLibraryPath(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("libmoescope-fake.so.3"));
        Result found = bash("source desktop-check.sh; moescope_has_lib libmoescope-fake.so.3",
                Map.of("LD_LIBRARY_PATH", dir.toString()));
        assertEquals(0, found.exitCode());
        Result missing = bash("source desktop-check.sh; moescope_has_lib libmoescope-fake.so.4",
                Map.of("LD_LIBRARY_PATH", dir.toString()));
        assertEquals(1, missing.exitCode());
    }

    /** A repository layout with sources at t=1000 s and the build outputs the test asks for. */
    private static Path layout(Path root, boolean appJar, boolean engineJar) throws IOException {
        for (String src : new String[] {"engine-opencl/src/main/java/A.java", "app/src/main/java/B.java",
                "assets/style.css", "pom.xml", "app/pom.xml", "engine-opencl/pom.xml"}) {
            touch(root.resolve(src), 1_000);
        }
        Files.createDirectories(root.resolve("app/target/lib"));
        if (appJar) {
            touch(root.resolve("app/target/moescope-app-0.1.jar"), 2_000);
        }
        if (engineJar) {
            touch(root.resolve("app/target/lib/moescope-engine-opencl-0.1.jar"), 2_000);
        }
        return root;
    }

    private static void touch(Path file, long epochSecond) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file)) {
            Files.createFile(file);
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.ofEpochSecond(epochSecond)));
    }

    private static boolean needsBuild(Path root) throws Exception {
        Result r = bash("source launcher-build.sh; moescope_needs_build '" + root + "'", Map.of());
        return r.exitCode() == 0;
    }

    @Test
    void aCompleteUpToDateBuildIsUsed(@TempDir Path root) throws Exception {
        assertEquals(false, needsBuild(layout(root, true, true)));
    }

    @Test
    void anAppJarWithoutItsLibrariesIsRebuilt(@TempDir Path root) throws Exception {
        // what an interrupted package (copy-dependencies never ran) leaves behind
        assertTrue(needsBuild(layout(root, true, false)));
        assertTrue(needsBuild(layout(root.resolve("x"), false, true)));
    }

    @Test
    void aSourceNewerThanEitherJarRebuilds(@TempDir Path root) throws Exception {
        layout(root, true, true);
        touch(root.resolve("engine-opencl/src/main/java/A.java"), 3_000);
        assertTrue(needsBuild(root));
        layout(root, true, true);
        touch(root.resolve("app/target/moescope-app-0.1.jar"), 4_000);
        touch(root.resolve("engine-opencl/src/main/java/A.java"), 3_000);
        assertTrue(needsBuild(root), "the engine jar in lib/ is older than an engine source");
    }
}
