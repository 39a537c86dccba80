package org.moescope.app.cli;

import java.io.PrintStream;
import org.moescope.app.service.ErrorMessages;
import org.moescope.engine.backend.EngineException;

/**
 * The headless CLI: devices, generate, score, bench, convert. Exit codes: 0 ok (and --help), 1 a failure while
 * running, 2 a bad command line. Every argument, and the model's facts it depends on (context, vocabulary, layers),
 * is checked before anything loads, so a usage error never waits for the weights.
 */
public final class Cli {
    static final String USAGE = """
            usage: moescope                      open the app on the bundled sample model
                   moescope devices              list OpenCL devices and the Java reference backend
                   moescope generate ...         generate text; moescope generate --help
                   moescope score ...            logits, greedy ids and router top-k as JSON; moescope score --help
                   moescope bench ...            MoE layer benchmark at real shapes; moescope bench --help
                   moescope convert ...          write a model as a GGUF file; moescope convert --help
            """;

    private Cli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one subcommand; returns the exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        String command = args[0];
        try {
            return switch (command) {
                case "devices" -> DevicesCommand.run(args, out);
                case "generate" -> GenerateCommand.run(args, out);
                case "score" -> ScoreCommand.run(args, out);
                case "bench" -> BenchCommand.run(args, out);
                case "convert" -> ConvertCommand.run(args, out);
                default -> {
                    err.println("moescope: unknown command '" + command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (CliArgs.HelpRequested e) {
            return usage(usageOf(command), out);
        } catch (CliArgs.UsageException e) {
            err.println("moescope " + e.getMessage());
            err.println("(moescope " + command + " --help lists the options)");
            return 2;
        } catch (EngineException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("moescope: error: " + e.getMessage());
            if (ErrorMessages.isOutOfJavaHeap(e)) {
                err.println("moescope: " + ErrorMessages.javaHeapAdvice() + ".");
            } else if (ErrorMessages.isOutOfDeviceMemory(e)) {
                err.println("moescope: " + DEVICE_MEMORY_ADVICE);
            }
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("moescope: error: " + ErrorMessages.javaHeapAdvice() + ".");
            return 1;
        }
    }

    /** What to change when the model does not fit the device. */
    static final String DEVICE_MEMORY_ADVICE = "the model does not fit the device's memory. Try fewer layers of a "
            + "synthetic preset (--layers N), a smaller weight type (--dtype BF16 instead of F32, or a quantized type "
            + "such as --dtype Q4_K; for a model file, moescope convert --type Q4_K writes a smaller copy), a smaller "
            + "--batch or --max-tokens, or another device (--device; moescope devices lists them). On the Java reference the memory is the Java heap: "
            + ErrorMessages.JAVA_OPTS_VARIABLE + "=-Xmx16g raises it.";

    private static String usageOf(String command) {
        return switch (command) {
            case "devices" -> DevicesCommand.USAGE;
            case "generate" -> GenerateCommand.USAGE;
            case "score" -> ScoreCommand.USAGE;
            case "bench" -> BenchCommand.USAGE;
            case "convert" -> ConvertCommand.USAGE;
            default -> USAGE;
        };
    }

    private static int usage(String text, PrintStream out) {
        out.print(text);
        return 0;
    }
}
