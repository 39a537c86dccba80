package org.moescope.app.cli;

import java.util.Locale;
import java.util.Set;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.Backends;
import org.moescope.engine.backend.DType;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ModelSource;

/** The options every engine-driving subcommand shares: model, device, switches. */
final class ModelOptions {
    static final Set<String> VALUED = Set.of("model", "device", "layers", "dtype", "kv-dtype");
    static final Set<String> SWITCHES = Set.of("profile", "no-fused-gate-up-silu", "host-topk", "direct-dispatch",
            "q8-activations");

    static final String HELP = """
              --model DIR|FILE.gguf|PRESET  a Hugging Face folder, a GGUF file (or a folder holding one; a split
                                   file by its first part) or a synthetic preset (default: the sample model)
              --layers N           synthetic presets: use N layers instead of the preset's (1 to its count)
              --dtype T            synthetic presets: weight type, F32, F16, BF16 (default) or quantized: Q8_0,
                                   Q4_0, Q5_0, Q4_K, Q5_K, Q6_K (norms and router stay F32; rows that are not
                                   whole blocks fall back to Q8_0 or F16), made on the device
              --device D           OpenCL device index or name substring, or "java" (default: first OpenCL GPU,
                                   else first OpenCL device, else the Java reference)
              --kv-dtype F32|F16|BF16  type the KV cache is stored in (default F32; F16/BF16 halve its memory
                                   and the bytes attention reads, rounding every stored key and value)
              --profile            time every stage on the device and print the per-stage table
              --no-fused-gate-up-silu  gate GEMV, up GEMV and SiLU·mul instead of the fused kernel
              --host-topk          prefill routing on the host (reads router logits back)
              --direct-dispatch    prefill GEMM grid sized from max-per-expert instead of the device work list
              --q8-activations     quantized experts (GGUF): quantize the expert inputs to Q8_0 once per layer and
                                   take integer dot products, as llama.cpp does; no effect on float weights
            The MOESCOPE_MOE_* variables (FUSED_GATE_UP_SILU=0, HOST_TOPK=1, DIRECT_DISPATCH=1, Q8_ACTIVATIONS=1)
            and MOESCOPE_PROFILE set switches too; a flag turns its switch on whatever the environment says.
            """;

    private ModelOptions() {
    }

    static MoeOptions switches(CliArgs args) {
        return switches(args, System.getenv());
    }

    /** The environment's switches ({@link MoeOptions#fromEnv}) with the flags on top. */
    static MoeOptions switches(CliArgs args, java.util.Map<String, String> env) {
        MoeOptions e = MoeOptions.fromEnv(env);
        return new MoeOptions(e.fusedGateUpSilu() && !args.has("no-fused-gate-up-silu"),
                e.hostTopk() || args.has("host-topk"), e.directDispatch() || args.has("direct-dispatch"),
                e.profiling() || args.has("profile"), e.q8Activations() || args.has("q8-activations"));
    }

    /** The model a command line asks for, checked, with its facts read; nothing is loaded yet. */
    record Request(ModelSource source, ModelFacts facts, DType kvCacheDType) {
    }

    /**
     * Checks every model option and reads the model's configuration (not its weights), so that bad values are usage
     * errors (exit 2) whatever the model, and the caller can check its own options against the model's facts.
     */
    static Request request(CliArgs args) {
        DType kvDType = kvCacheDType(args);
        ModelSource source = source(args);
        return new Request(source, ModelFacts.of(source), kvDType);
    }

    static ModelSource source(CliArgs args) {
        String command = args.command();
        DType dtype = null;
        if (args.present("dtype")) {
            // parsed before the model is known, so a bad type is the same error for every model
            try {
                dtype = DType.parse(args.required("dtype"));
            } catch (IllegalArgumentException e) {
                throw new CliArgs.UsageException(command + ": --dtype: " + e.getMessage());
            }
            if (!dtype.isWeightType()) {
                throw new CliArgs.UsageException(command + ": --dtype must be a weight type (F32, F16, BF16, Q8_0, "
                        + "Q4_0, Q5_0, Q4_K, Q5_K, Q6_K), got " + dtype);
            }
        }
        int layers = args.integer("layers", 0, 1);
        ModelSource source;
        try {
            source = ModelSource.parse(args.string("model", null));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException(command + ": " + e.getMessage());
        }
        if (source instanceof ModelSource.Synthetic s) {
            int available = s.config().numHiddenLayers();
            if (layers > available) {
                throw new CliArgs.UsageException(command + ": --layers " + layers + ": " + s.displayName() + " has "
                        + available + " layers; give 1 to " + available + " (or leave --layers out for all of them)");
            }
            return new ModelSource.Synthetic(s.presetOrConfig(), layers == 0 ? s.layers() : layers,
                    dtype == null ? s.dtype() : dtype, s.seed());
        }
        if (args.present("layers") || args.present("dtype")) {
            throw new CliArgs.UsageException(command + ": --layers and --dtype apply only to synthetic presets");
        }
        return source;
    }

    /** --kv-dtype, checked before anything loads. */
    static DType kvCacheDType(CliArgs args) {
        if (!args.present("kv-dtype")) {
            return DType.F32;
        }
        DType dtype;
        try {
            dtype = DType.parse(args.required("kv-dtype"));
        } catch (IllegalArgumentException e) {
            throw new CliArgs.UsageException(args.command() + ": --kv-dtype: " + e.getMessage());
        }
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new CliArgs.UsageException(args.command() + ": --kv-dtype must be F32, F16 or BF16, got " + dtype);
        }
        return dtype;
    }

    /** The backend --device names; a selector that matches no device is a usage error. */
    static Backend backend(CliArgs args) {
        try {
            return Backends.open(args.string("device", null));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() == null || !e.getMessage().startsWith("no device")) {
                throw e;
            }
            throw new CliArgs.UsageException(args.command() + ": --device: " + e.getMessage());
        }
    }

    /**
     * Opens the session, printing load progress on stderr: one updating line on a terminal, a line per tenth
     * otherwise (logs and pipes get no carriage returns).
     */
    static InferenceSession open(CliArgs args, Request request) {
        DType kvDType = request.kvCacheDType();
        boolean terminal = onTerminal();
        int[] last = {-1};
        Backend backend = backend(args);
        InferenceSession session = InferenceSession.open(request.source(), backend, (fraction, message) -> {
            int percent = (int) Math.floor(fraction * 100);
            if (terminal && percent != last[0]) {
                System.err.printf(Locale.ROOT, "\rloading %3d%%  %-60.60s", percent, message);
                System.err.flush();
            } else if (!terminal && percent / 10 != last[0] / 10) {
                System.err.printf(Locale.ROOT, "loading %3d%%  %s%n", percent, message);
            }
            last[0] = percent;
        });
        try {
            session.setKvCacheDType(kvDType);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        System.err.printf(Locale.ROOT, "%sloaded %s on %s (%s)%s%n", terminal ? "\r" + " ".repeat(75) + "\r" : "",
                session.modelName(), session.device().name(), session.weightTypes().summary(),
                kvDType == DType.F32 ? "" : ", KV cache " + kvDType);
        return session;
    }

    /** Console.isTerminal (Java 22+) when present: since Java 22 System.console() is non-null even for pipes. */
    static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
