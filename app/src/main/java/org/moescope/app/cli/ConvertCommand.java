package org.moescope.app.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;

/**
 * {@code moescope convert --to-gguf FILE}: any model MoEScope opens (a checkpoint folder, a GGUF file, a synthetic
 * preset) written as a GGUF file that llama.cpp and ggml read, in its stored types or in one requested type. A
 * synthetic preset is made and written one tensor at a time, so a model larger than the device can be written.
 */
final class ConvertCommand {
    static final String USAGE = """
            moescope convert --to-gguf FILE [--type T] [options]
              --to-gguf FILE       the GGUF file to write (as FILE.partial, renamed to FILE when complete)
              --type T             store the weights as T: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K or Q6_K
                                   (default: as loaded; a synthetic preset's --dtype). For a quantized T, norms and
                                   the router stay F32 and rows that are not whole blocks fall back to Q8_0 or F16
            """ + ModelOptions.HELP;

    private ConvertCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Set<String> valued = new HashSet<>(ModelOptions.VALUED);
        valued.addAll(Set.of("to-gguf", "type"));
        CliArgs args = CliArgs.parse("convert", argv, 1, valued, ModelOptions.SWITCHES);
        Path target = Path.of(args.required("to-gguf"));
        OutputFile.check("convert", "--to-gguf", target, false);
        DType type = null;
        if (args.present("type")) {
            try {
                type = DType.parse(args.required("type"));
            } catch (IllegalArgumentException e) {
                throw new CliArgs.UsageException("convert: --type: " + e.getMessage());
            }
            if (!type.isWeightType()) {
                throw new CliArgs.UsageException("convert: --type must be a weight type, got " + type);
            }
        }
        ModelOptions.Request request = ModelOptions.request(args);
        long start = System.nanoTime();
        if (request.source() instanceof ModelSource.Synthetic synthetic) {
            try (Backend backend = ModelOptions.backend(args)) {
                InferenceSession.writeSyntheticGguf(synthetic, type, backend, target, progress("writing"));
            }
        } else {
            try (InferenceSession session = ModelOptions.open(args, request)) {
                session.writeGguf(target, type, progress("writing"));
            }
        }
        System.err.print(ModelOptions.onTerminal() ? "\r" + " ".repeat(75) + "\r" : "");
        out.printf(Locale.ROOT, "wrote %s (%.1f MiB) in %.1f s%n", target, size(target) / (double) (1 << 20),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private static LoadProgress progress(String verb) {
        boolean terminal = ModelOptions.onTerminal();
        int[] last = {-1};
        return (fraction, message) -> {
            int percent = (int) Math.floor(fraction * 100);
            if (terminal) {
                System.err.printf(Locale.ROOT, "\r%s %3d%%  %-60.60s", verb, percent, message);
                System.err.flush();
            } else if (percent / 10 != last[0] / 10) {
                System.err.printf(Locale.ROOT, "%s %3d%%  %s%n", verb, percent, message);
            }
            last[0] = percent;
        };
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
