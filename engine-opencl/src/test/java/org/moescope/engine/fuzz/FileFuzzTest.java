package org.moescope.engine.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.OpenClTestSupport;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.backend.java.JavaBackend;
import org.moescope.engine.backend.opencl.ClDevice;
import org.moescope.engine.backend.opencl.OpenClBackend;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;
import org.moescope.engine.session.SampleModel;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.tokenizer.TokenizerJsonVocabulary;

/**
 * Corrupts the bundled sample model (model.safetensors, config.json, tokenizer.json) and the GGUF fixtures thousands
 * of ways and opens each result as a user would, on the Java reference backend (the first few also on an OpenCL
 * device). Every case must end in a correct load (then a one-token prefill runs) or an EngineException whose message
 * names the corrupted file; never another exception, a hang (each case runs under a watchdog) or an allocation far
 * beyond what the clean file costs.
 *
 * <p>Seeded and reproducible: {@code -Dmoescope.fuzz.cases=N} (default 2000), {@code -Dmoescope.fuzz.seed=S}
 * (default 16), {@code -Dmoescope.fuzz.case=I} reruns case I alone, {@code -Dmoescope.fuzz.from=I} starts at case I,
 * {@code -Dmoescope.fuzz.verbose=true} writes each case to target/file-fuzz-last-case.txt before it runs. Failures
 * report the seed, the case and the corruption.
 */
class FileFuzzTest {
    static final int CASES = Integer.getInteger("moescope.fuzz.cases", 2000);
    static final long SEED = Long.getLong("moescope.fuzz.seed", 16);
    static final int ONLY_CASE = Integer.getInteger("moescope.fuzz.case", -1);
    /** Writes each case before it runs: the file names the case when a native library takes the JVM down. */
    static final boolean VERBOSE = Boolean.getBoolean("moescope.fuzz.verbose");
    static final Path LAST_CASE = Path.of("target", "file-fuzz-last-case.txt");
    /** The first case to run (the cases before it are skipped, not generated). */
    static final int FROM_CASE = Integer.getInteger("moescope.fuzz.from", 0);
    /** A case that takes this long has hung (a clean open takes milliseconds). */
    static final long CASE_TIMEOUT_S = 30;
    /** Heap a case may allocate beyond twice what the clean file costs. */
    static final long ALLOCATION_SLACK = 64L << 20;

    @TempDir
    Path tmp;

    @Test
    void corruptedModelFilesGiveAClearErrorOrACorrectLoad() throws Exception {
        int first = ONLY_CASE >= 0 ? ONLY_CASE : FROM_CASE;
        fuzz("file fuzz", JavaBackend::new, first, ONLY_CASE >= 0 ? ONLY_CASE + 1 : CASES, true);
    }

    /**
     * The first cases again on the first OpenCL device: a load there also builds and warms up the kernels, seconds
     * per model, so only a few ({@code -Dmoescope.fuzz.openclCases=N}, default 10).
     */
    @Test
    void theFirstCorruptionsOnAnOpenClDeviceAlso() throws Exception {
        ClDevice device = OpenClTestSupport.firstDeviceOrSkip();
        fuzz("file fuzz on " + device.info().name(), () -> new OpenClBackend(device), 0,
                Integer.getInteger("moescope.fuzz.openclCases", 10), false);
    }

    /**
     * Cases [first, end) of the seed, each model opened on a backend of {@code backends}; with
     * {@code boundAllocation} each clean file is opened first and a case may allocate at most twice its heap (the
     * parsers are the same on every backend: the OpenCL run skips those clean opens, a kernel warm-up each).
     */
    private void fuzz(String title, Supplier<Backend> backends, int first, int end, boolean boundAllocation)
            throws Exception {
        List<FuzzTarget> targets = targets();
        int[] weights = {5, 4, 3, 3, 2, 3}; // safetensors, config, tokenizer, three GGUF files
        Map<FuzzTarget, Long> cleanAllocation = new LinkedHashMap<>();
        ExecutorService worker = newWorker();
        try {
            for (FuzzTarget t : boundAllocation ? targets : List.<FuzzTarget>of()) {
                Outcome clean = run(worker, t, backends);
                assertTrue(clean.error == null, t.label + " must open before it is corrupted: " + clean.error);
                cleanAllocation.put(t, clean.allocatedBytes);
            }
            int tried = 0;
            int opened = 0;
            int refused = 0;
            List<String> failures = new ArrayList<>();
            Map<String, int[]> perTarget = new LinkedHashMap<>();
            for (int i = first; i < end && failures.size() < 20; i++) {
                Random r = new Random(SEED * 0x9E3779B97F4A7C15L + i);
                FuzzTarget t = targets.get(pick(weights, r));
                Mutation m = t.mutate(r);
                String where = "case " + i + " (-Dmoescope.fuzz.seed=" + SEED + " -Dmoescope.fuzz.case=" + i + ") "
                        + t.label + ", " + m.description();
                if (VERBOSE) {
                    // a file survives an abort inside a native library; the test's captured output may not
                    Files.writeString(LAST_CASE, where + System.lineSeparator());
                }
                Outcome o;
                try {
                    t.copy.apply(m);
                    o = run(worker, t, backends);
                } catch (TimeoutException e) {
                    // the hung case still runs and may hold the heap: later cases would not be judged fairly
                    failures.add(where + ": no answer within " + CASE_TIMEOUT_S + " s (the run stops here)");
                    tried++;
                    break;
                } finally {
                    t.copy.restore();
                }
                tried++;
                int[] counts = perTarget.computeIfAbsent(t.label, k -> new int[2]);
                if (boundAllocation && o.allocatedBytes > 2 * cleanAllocation.get(t) + ALLOCATION_SLACK) {
                    failures.add(where + ": allocated " + o.allocatedBytes + " bytes of heap (the clean file: "
                            + cleanAllocation.get(t) + ")");
                }
                if (o.error == null) {
                    opened++;
                    counts[0]++;
                } else if (o.error instanceof EngineException e && e.getMessage() != null
                        && e.getMessage().contains(t.fileName())) {
                    refused++;
                    counts[1]++;
                } else if (o.error instanceof EngineException e) {
                    failures.add(where + ": the message does not name " + t.fileName() + ": " + e.getMessage());
                } else {
                    failures.add(where + ": " + stackOf(o.error));
                }
            }
            StringBuilder summary = new StringBuilder(title + ", seed " + SEED + ": " + tried + " cases, " + opened
                    + " loaded, " + refused + " refused with a clear error, " + failures.size() + " failures ("
                    + (end - first) + " asked for)");
            perTarget.forEach((k, v) -> summary.append("\n  ").append(k).append(": ").append(v[0]).append(" loaded, ")
                    .append(v[1]).append(" refused"));
            System.out.println(summary);
            if (!failures.isEmpty()) {
                fail(summary + "\n" + String.join("\n", failures));
            }
        } finally {
            worker.shutdownNow();
        }
    }

    private record Outcome(Throwable error, long allocatedBytes) {
    }

    /** Opens the target's model (and, for tokenizer.json, its vocabulary reader) on the worker thread. */
    private static Outcome run(ExecutorService worker, FuzzTarget t, Supplier<Backend> backends) throws Exception {
        Future<Outcome> f = worker.submit(() -> {
            com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = mx.getCurrentThreadAllocatedBytes();
            Throwable error = null;
            try {
                openAndUse(t, backends.get());
            } catch (Throwable e) {
                error = e;
            }
            return new Outcome(error, mx.getCurrentThreadAllocatedBytes() - before);
        });
        return f.get(CASE_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Opens the model on {@code backend} (the session owns it from here) and runs a one-token prefill. */
    private static void openAndUse(FuzzTarget t, Backend backend) {
        if (t.fileName().equals("tokenizer.json")) {
            try {
                TokenizerJsonVocabulary.read(t.copy.path(), null, null);
            } catch (RuntimeException | Error e) {
                backend.close();
                throw e;
            }
        }
        try (InferenceSession s = InferenceSession.open(t.source, backend, LoadProgress.NONE)) {
            int[] ids = s.hasTokenizer() ? s.encode("Hello, world") : new int[] {1, 2, 3};
            s.decode(ids);
            // a corrupted but valid max_position_embeddings may leave room for fewer tokens: a shorter prompt
            ids = java.util.Arrays.copyOf(ids, Math.min(ids.length, s.config().maxPositionEmbeddings() - 1));
            if (ids.length > 0) {
                s.prefill(ids, 1, 1, SamplingSettings.GREEDY, MoeOptions.DEFAULT, false);
            }
        }
    }

    private List<FuzzTarget> targets() throws IOException {
        Path sample = SampleModel.locate();
        byte[] config = Files.readAllBytes(sample.resolve("config.json"));
        byte[] safetensors = Files.readAllBytes(sample.resolve("model.safetensors"));
        byte[] tokenizer = Files.readAllBytes(sample.resolve("tokenizer.json"));
        List<FuzzTarget> out = new ArrayList<>();

        Path st = Files.createDirectories(tmp.resolve("safetensors"));
        Files.write(st.resolve("config.json"), config);
        out.add(new FuzzTarget.Safetensors("model.safetensors", safetensors, st.resolve("model.safetensors"),
                new ModelSource.Folder(st), config.length));

        Path cfg = Files.createDirectories(tmp.resolve("config"));
        Files.write(cfg.resolve("model.safetensors"), safetensors);
        out.add(new FuzzTarget.Json("config.json", config, cfg.resolve("config.json"), new ModelSource.Folder(cfg),
                safetensors.length));

        Path tok = Files.createDirectories(tmp.resolve("tokenizer"));
        Files.write(tok.resolve("config.json"), config);
        Files.write(tok.resolve("model.safetensors"), safetensors);
        out.add(new FuzzTarget.Json("tokenizer.json", tokenizer, tok.resolve("tokenizer.json"),
                new ModelSource.Folder(tok), safetensors.length + config.length));

        for (String fixture : List.of("gguf-tiny-k", "gguf-tiny-q8", "gguf-sample-q8")) {
            byte[] gguf = Files.readAllBytes(Path.of("src/test/resources/org/moescope/engine/gguf", fixture, "model.gguf"));
            Path dir = Files.createDirectories(tmp.resolve(fixture));
            out.add(new FuzzTarget.Gguf(fixture + "/model.gguf", gguf, dir.resolve("model.gguf"),
                    new ModelSource.Gguf(dir.resolve("model.gguf"))));
        }
        return out;
    }

    private static int pick(int[] weights, Random r) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        throw new AssertionError();
    }

    private static ExecutorService newWorker() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "file-fuzz");
            t.setDaemon(true);
            return t;
        });
    }

    private static String stackOf(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(6, st.length); i++) {
            sb.append("\n      at ").append(st[i]);
        }
        return sb.toString();
    }
}
