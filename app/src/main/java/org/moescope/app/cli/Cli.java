package org.moescope.app.cli;

import java.io.PrintStream;
import org.moescope.engine.backend.EngineException;

/** The headless CLI: devices, generate, score, bench. Exit codes: 0 ok, 1 failure, 2 bad command line. */
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
        boolean help = args.length > 1 && (args[1].equals("--help") || args[1].equals("-h"));
        try {
            return switch (command) {
                case "devices" -> DevicesCommand.run(args, out);
                case "generate" -> help ? usage(GenerateCommand.USAGE, out) : GenerateCommand.run(args, out);
                case "score" -> help ? usage(ScoreCommand.USAGE, out) : ScoreCommand.run(args, out);
                case "bench" -> help ? usage(BenchCommand.USAGE, out) : BenchCommand.run(args, out);
                case "convert" -> help ? usage(ConvertCommand.USAGE, out) : ConvertCommand.run(args, out);
                default -> {
                    err.println("moescope: unknown command '" + command + "'");
                    err.print(USAGE);
                    yield 2;
                }
            };
        } catch (CliArgs.UsageException e) {
            err.println("moescope " + e.getMessage());
            err.println("(moescope " + command + " --help lists the options)");
            return 2;
        } catch (EngineException | IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            err.println("moescope: error: " + e.getMessage());
            return 1;
        }
    }

    private static int usage(String text, PrintStream out) {
        out.print(text);
        return 0;
    }
}
