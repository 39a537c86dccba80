package org.moescope.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.moescope.app.MoeScopeApp;
import org.moescope.app.prefs.AppPreferences;
import org.moescope.app.view.MainWindow;
import org.moescope.app.viewmodel.SessionViewModel;

/**
 * Drives the real app window (headless) through many decode steps with profiling on, on a synthetic tiny model
 * (qwen3-tiny's shape with a longer context, so that one run outgrows the step window), and prints RSS, heap and
 * FX responsiveness along the way. Run by scripts/long-session.sh; not a test.
 *
 * <p>Options: --seconds S (180), --steps N (300000 decode steps, whichever comes first), --context C (16384
 * positions; each run generates C - 9 tokens), --device SELECTOR (java), --sample S (10 s between rows),
 * --views off (the view model alone, without the window: the engine and the view model's memory, faster).
 */
public final class LongSessionBenchmark {
    private static final String PROMPT = "1 2 3 4 5 6 7 8";

    private final int seconds;
    private final long stepTarget;
    private final int context;
    private final String device;
    private final int sampleSeconds;
    private final boolean views;
    private final List<Long> pulseNanos = Collections.synchronizedList(new ArrayList<>());
    private SessionViewModel vm;

    private LongSessionBenchmark(String[] args) {
        seconds = Integer.parseInt(option(args, "--seconds", "180"));
        stepTarget = Long.parseLong(option(args, "--steps", "300000"));
        context = Integer.parseInt(option(args, "--context", "16384"));
        device = option(args, "--device", "java");
        sampleSeconds = Integer.parseInt(option(args, "--sample", "10"));
        views = !option(args, "--views", "on").equals("off");
    }

    public static void main(String[] args) throws Exception {
        Platform.startup(() -> { });
        int status = 0;
        try {
            new LongSessionBenchmark(args).run();
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        } finally {
            Platform.exit();
        }
        System.exit(status);
    }

    private void run() throws Exception {
        Path config = tinyConfig(context);
        AppPreferences prefs = new AppPreferences(Preferences.userRoot().node("moescope-bench/" + System.nanoTime()));
        prefs.setModel(config.toString());
        prefs.setDevice(device);
        fx(() -> {
            if (views) {
                MainWindow window = MoeScopeApp.open(new Stage(), prefs, true);
                vm = window.viewModel();
            } else {
                vm = new SessionViewModel();
                vm.modelProperty().set(prefs.model());
                vm.deviceProperty().set(org.moescope.app.viewmodel.DeviceChoice.available().stream().filter(d -> d.selector().equals(device))
                        .findFirst().orElseThrow(() -> new IllegalArgumentException("no device " + device)));
                vm.loadModel();
            }
            return null;
        });
        awaitIdle();
        if (fx(() -> vm.configProperty().get()) == null) {
            throw new IllegalStateException("the model did not load: " + fx(() -> vm.lastErrorProperty().get()));
        }
        int tokens = context - PROMPT.split(" ").length - 1;
        fx(() -> {
            vm.promptProperty().set(PROMPT);
            vm.maxNewTokensProperty().set(tokens);
            vm.profilingProperty().set(true);
            return null;
        });
        Thread prober = startPulseProber();

        System.out.printf(Locale.ROOT, "long session: synthetic qwen3-tiny shape, context %d, %d tokens per run, device %s, "
                + "profiling on, step window %d, views %s%n", context, tokens, device, fx(() -> vm.stepWindowCapacity()),
                views ? "on (the app window)" : "off (view model only)");
        System.out.printf(Locale.ROOT, "%8s %12s %9s %8s %10s %9s %9s %12s %12s %6s%n", "time s", "decode steps", "steps/s",
                "runs", "kept steps", "RSS MiB", "live MiB", "pulse p50 ms", "pulse max ms", "load");
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        long nextRow = start;
        long doneSteps = 0;
        long lastRowSteps = 0;
        long lastRowTime = start;
        int runs = 0;
        while (doneSteps < stepTarget && System.nanoTime() < deadline) {
            fx(() -> {
                vm.generate();
                return null;
            });
            runs++;
            long runSteps = 0;
            while (true) {
                Thread.sleep(200);
                boolean busy = fx(() -> vm.busyProperty().get());
                runSteps = Math.max(0, fx(() -> vm.totalStepsProperty().get()) - 1);
                long now = System.nanoTime();
                if (now >= nextRow) {
                    long steps = doneSteps + runSteps;
                    row(now - start, steps, (steps - lastRowSteps) / ((now - lastRowTime) / 1e9), runs);
                    lastRowSteps = steps;
                    lastRowTime = now;
                    nextRow = now + TimeUnit.SECONDS.toNanos(sampleSeconds);
                }
                if (!busy) {
                    break;
                }
                if (now >= deadline || doneSteps + runSteps >= stepTarget) {
                    fx(() -> {
                        vm.stop();
                        return null;
                    });
                }
            }
            doneSteps += runSteps;
            String error = fx(() -> vm.lastErrorProperty().get());
            if (error != null) {
                throw new IllegalStateException(error);
            }
        }
        long now = System.nanoTime();
        row(now - start, doneSteps, (doneSteps - lastRowSteps) / Math.max(1e-9, (now - lastRowTime) / 1e9), runs);
        prober.interrupt();
        System.out.printf(Locale.ROOT, "done: %d decode steps in %d runs, %.0f s%n", doneSteps, runs, (now - start) / 1e9);
    }

    private void row(long elapsedNanos, long steps, double stepsPerSecond, int runs) throws Exception {
        List<Long> pulses;
        synchronized (pulseNanos) {
            pulses = new ArrayList<>(pulseNanos);
            pulseNanos.clear();
        }
        Collections.sort(pulses);
        double p50 = pulses.isEmpty() ? Double.NaN : pulses.get(pulses.size() / 2) / 1e6;
        double max = pulses.isEmpty() ? Double.NaN : pulses.get(pulses.size() - 1) / 1e6;
        int kept = fx(() -> vm.steps().size());
        double live = liveHeapMiB();
        System.out.printf(Locale.ROOT, "%8.0f %12d %9.0f %8d %10d %9.0f %9.0f %12.1f %12.1f %6s%n", elapsedNanos / 1e9, steps,
                stepsPerSecond, runs, kept, rssMiB(), live, p50, max, loadAverage());
    }

    /** Every 100 ms: how long a Platform.runLater takes to run (the FX thread's delay). */
    private Thread startPulseProber() {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    long posted = System.nanoTime();
                    CompletableFuture<Void> ran = new CompletableFuture<>();
                    Platform.runLater(() -> {
                        pulseNanos.add(System.nanoTime() - posted);
                        ran.complete(null);
                    });
                    ran.get();
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "pulse-prober");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The heap that is live: in use after a full collection. The collection stalls every thread, the FX thread too,
     * so the pulse delays measured while it runs are dropped.
     */
    private double liveHeapMiB() throws InterruptedException {
        System.gc();
        long bytes = java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        Thread.sleep(250);
        pulseNanos.clear();
        return bytes / 1048576.0;
    }

    /** The machine's 1-minute load average: on a shared machine the FX delays mean little without it. */
    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static double rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** qwen3-tiny's shape (see ModelPresets) with {@code context} positions and no end-of-sequence token. */
    private static Path tinyConfig(int context) throws IOException {
        Path dir = Files.createTempDirectory("moescope-long-session");
        Path file = dir.resolve("qwen3-tiny-long.json");
        Files.writeString(file, String.format(Locale.ROOT, """
                {"model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 4, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": 16, "moe_intermediate_size": 40, "intermediate_size": 96,
                 "num_experts": 8, "num_experts_per_tok": 2, "norm_topk_prob": true, "decoder_sparse_step": 1,
                 "rms_norm_eps": 1e-6, "rope_theta": 10000, "max_position_embeddings": %d, "vocab_size": 301,
                 "tie_word_embeddings": false, "torch_dtype": "float32"}
                """, context));
        file.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return file;
    }

    private void awaitIdle() throws Exception {
        do {
            Thread.sleep(200);
        } while (fx(() -> vm.busyProperty().get()));
    }

    private static <T> T fx(Callable<T> callable) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Platform.runLater(() -> {
            try {
                result.complete(callable.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.MINUTES);
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
