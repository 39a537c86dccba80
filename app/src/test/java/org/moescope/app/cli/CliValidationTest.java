package org.moescope.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.moescope.app.cli.CliTest.Run;

/**
 * Bad command lines are usage errors (exit 2) with a sentence naming the option, reported before anything loads.
 * "Before" is checked with a model folder whose config.json is the sample model's but whose weights are garbage:
 * a command that got as far as loading would fail there with exit 1 instead.
 */
class CliValidationTest {
    @TempDir
    static Path dir;
    /** config.json and tokenizer.json of the sample model, model.safetensors not a safetensors file. */
    static String broken;
    /** A regular file, used as if it were a folder. */
    static String aFile;

    @BeforeAll
    static void brokenModel() throws IOException {
        Path model = Files.createDirectories(dir.resolve("broken-model"));
        Path sample = Path.of("../sample-weights").toAbsolutePath().normalize();
        Files.copy(sample.resolve("config.json"), model.resolve("config.json"));
        Files.copy(sample.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        Files.writeString(model.resolve("model.safetensors"), "not a safetensors file");
        broken = model.toString();
        aFile = Files.writeString(dir.resolve("a-file.txt"), "x").toString();
    }

    @Test
    void theBrokenModelReallyFailsToLoad() {
        // the control: without a bad argument the same command fails while loading, with exit 1
        Run run = CliTest.cli("generate", "--model", broken, "--device", "java", "--ids", "1,2", "--max-tokens", "1");
        assertEquals(1, run.code(), run.err());
    }

    /** {arguments, text the message must hold}; every one is refused with exit 2 before the model loads. */
    static Stream<Arguments> badCommandLines() {
        List<Arguments> cases = new ArrayList<>();
        // item 3: errors that came only after loading
        add(cases, "--ids must be comma-separated token ids, got 'abc'", "generate", "--ids", "abc");
        add(cases, "--prompt is empty", "generate", "--prompt", "");
        add(cases, "exceed the context of broken-model (512 tokens", "generate", "--ids", "1,2", "--max-tokens",
                "511");
        add(cases, "give --max-tokens 510 or less", "score", "--ids", "1,2", "--max-tokens", "600", "--json",
                dir.resolve("s.json").toString());
        add(cases, "--max-tokens 512 leaves no room for the prompt in the context of broken-model (512 tokens",
                "generate", "--prompt", "A computer", "--max-tokens", "512");
        add(cases, "token id 2048 (item 2) is outside the vocabulary", "generate", "--ids", "1,2048");
        add(cases, "token id -1 (item 1) is outside the vocabulary", "score", "--ids", "-1", "--json",
                dir.resolve("s.json").toString());
        add(cases, "is a folder; give a file name", "score", "--ids", "1", "--json", dir.toString());
        add(cases, "is a file, not a folder", "score", "--ids", "1", "--json", aFile + "/sub/s.json");
        add(cases, "the folder " + aFile + " does not exist", "convert", "--to-gguf", aFile + "/x.gguf");
        // item 5: accepted although they should not be
        add(cases, "--model needs a path, a preset name, or omit it for the sample model", "generate", "--model", "",
                "--ids", "1");
        add(cases, "--device is empty", "generate", "--device", "", "--ids", "1");
        add(cases, "--device is empty", "convert", "--device", " ", "--to-gguf", dir.resolve("x.gguf").toString());
        add(cases, "qwen3-tiny has 4 layers; give 1 to 4", "generate", "--model", "qwen3-tiny", "--layers", "1000",
                "--ids", "1");
        add(cases, "--batch must be at most 256 (each sequence holds its own KV cache", "generate", "--ids", "1",
                "--batch", "100000");
        add(cases, "--top-p must be in (0, 1], got 0", "generate", "--ids", "1", "--top-p", "0");
        add(cases, "--top-p must be in (0, 1], got NaN", "generate", "--ids", "1", "--top-p", "NaN");
        add(cases, "--temperature must be in [0, 100], got Infinity", "generate", "--ids", "1", "--temperature",
                "Infinity");
        add(cases, "--max-tokens must be >= 1, got 0", "generate", "--ids", "1", "--max-tokens", "0");
        add(cases, "--max-tokens must be at most 2147483647, got 99999999999999999999", "score", "--ids", "1",
                "--max-tokens", "99999999999999999999", "--json", dir.resolve("s.json").toString());
        add(cases, "--seed must be an integer, got '1.5'", "generate", "--ids", "1", "--seed", "1.5");
        add(cases, "--device: no device with index 99", "generate", "--ids", "1", "--device", "99");
        add(cases, "--device: no device matches 'no-such-device'", "score", "--ids", "1", "--json",
                dir.resolve("s.json").toString(), "--device", "no-such-device");
        add(cases, "--kv-dtype must be F32, F16 or BF16, got Q8_0", "generate", "--ids", "1", "--kv-dtype", "Q8_0");
        add(cases, "--layers and --dtype apply only to synthetic presets", "generate", "--ids", "1", "--dtype", "F16");
        add(cases, "has no tokenizer", "generate", "--model", "qwen3-tiny", "--prompt", "hello");
        add(cases, "--max-tokens is given twice ('1' and '2')", "generate", "--ids", "1", "--max-tokens", "1",
                "--max-tokens", "2");
        add(cases, "--json is empty", "score", "--ids", "1", "--json", "");
        add(cases, "--model 'no-such-model' is neither a model folder", "generate", "--model", "no-such-model",
                "--ids", "1");
        // bench: counts beyond the shape, unknown names
        add(cases, "--layers must be at most 4 (qwen3-tiny has 4 layers)", "bench", "--shape", "qwen3-tiny",
                "--layers", "5");
        add(cases, "--model-layers must be at most 48 (qwen3-30b-a3b has 48 layers)", "bench", "--model-layers",
                "1000");
        add(cases, "--repeats must be at most 1000", "bench", "--repeats", "100000");
        add(cases, "--tokens item prefill T=100000 = 100000 is more than 512 (the context of qwen3-tiny)", "bench",
                "--shape", "qwen3-tiny", "--tokens", "100000");
        add(cases, "--prompt 500 + --decode = 516 is more than 512 (the context of qwen3-tiny)", "bench",
                "--model-preset", "qwen3-tiny", "--prompt", "500");
        add(cases, "--shape: 'no-such-shape' is neither a preset", "bench", "--shape", "no-such-shape");
        add(cases, "--model-preset: 'no-such-preset' is neither a preset", "bench", "--model-preset",
                "no-such-preset");
        return cases.stream();
    }

    private static void add(List<Arguments> cases, String message, String... args) {
        cases.add(Arguments.of(String.join(" ", args), args, message));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void badArgumentsAreUsageErrorsBeforeLoading(String label, String[] args, String message) {
        Run run = CliTest.cli(withBrokenModel(args));
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains(message), "wants '" + message + "': " + run.err());
        assertTrue(run.err().contains("moescope " + args[0] + " --help lists the options"), run.err());
        assertEquals("", run.out(), "nothing ran");
    }

    /** The broken model and the Java reference, unless the case names its own model or device. */
    private static String[] withBrokenModel(String[] args) {
        List<String> all = new ArrayList<>(List.of(args));
        boolean bench = args[0].equals("bench");
        if (!bench && !all.contains("--model")) {
            all.addAll(List.of("--model", broken));
        }
        if (!all.contains("--device")) {
            all.addAll(List.of("--device", "java"));
        }
        if (bench) {
            // were the check late, the run would be short: one tiny workload
            for (String[] fast : new String[][] {{"--shape", "qwen3-tiny"}, {"--tokens", "1"}, {"--parts", "moe"},
                    {"--variants", "0"}, {"--warmup", "0"}, {"--repeats", "1"}}) {
                if (!all.contains(fast[0])) {
                    all.addAll(List.of(fast));
                }
            }
        }
        return all.toArray(String[]::new);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sample", "qwen3-tiny", "broken", "no-such-model"})
    void anUnknownDtypeIsAUsageErrorWhateverTheModel(String model) {
        List<String> args = new ArrayList<>(List.of("generate", "--ids", "1", "--dtype", "Q9", "--device", "java"));
        if (!model.equals("sample")) {
            args.addAll(List.of("--model", model.equals("broken") ? broken : model));
        }
        Run run = CliTest.cli(args.toArray(String[]::new));
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("--dtype: unsupported dtype 'Q9'"), run.err());
    }

    @Test
    void anUnwritableOutputIsRefusedWithItsReasonBeforeLoading() {
        // /proc takes no new files, whoever runs the test (root included)
        for (String[] args : new String[][] {
                {"score", "--ids", "1", "--json", "/proc/moescope-score.json"},
                {"bench", "--json", "/proc/moescope/bench.json"},
                {"convert", "--to-gguf", "/proc/moescope.gguf"}}) {
            Run run = CliTest.cli(withBrokenModel(args));
            assertEquals(2, run.code(), run.err());
            assertTrue(run.err().contains("cannot create a file in /proc: "), run.err());
            String reason = run.err().substring(run.err().indexOf("/proc: ") + 7).lines().findFirst().orElseThrow();
            assertTrue(reason.startsWith("no such file or folder") || reason.startsWith("permission denied")
                    || reason.startsWith("Read-only file system"), "a reason, not the path again: " + reason);
            assertFalse(Files.exists(Path.of(args[args.length - 1])));
        }
    }

    @Test
    void aWritableOutputIsNeitherCreatedNorLeftBehindByTheCheck() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("checked"));
        OutputFile.check("score", "--json", folder.resolve("new/score.json"), true);
        OutputFile.check("convert", "--to-gguf", folder.resolve("model.gguf"), false);
        try (Stream<Path> left = Files.list(folder)) {
            assertEquals(List.of(), left.toList(), "no target, no folder, no probe file");
        }
        Path existing = Files.writeString(folder.resolve("old.json"), "keep me");
        OutputFile.check("score", "--json", existing, true);
        assertEquals("keep me", Files.readString(existing), "not truncated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"devices", "generate", "score", "bench", "convert"})
    void everySubcommandPrintsItsUsageOnHelp(String command) {
        for (String[] args : new String[][] {{command, "--help"}, {command, "-h"}, {command, "--device", "java", "-h"}}) {
            Run run = CliTest.cli(args);
            assertEquals(0, run.code(), String.join(" ", args) + ": " + run.err());
            assertTrue(run.out().startsWith("moescope " + command), run.out());
            assertEquals("", run.err());
        }
    }

    @Test
    void outOfDeviceMemorySaysWhatToChange() {
        // qwen3-235b-a22b needs ~438 GiB: the engine refuses it before allocating
        Run run = CliTest.cli("generate", "--model", "qwen3-235b-a22b", "--device", "java", "--ids", "1",
                "--max-tokens", "1");
        assertEquals(1, run.code(), run.err());
        assertTrue(run.err().contains("out of device memory"), run.err());
        for (String advice : new String[] {"--layers N", "--dtype", "--device", "MOESCOPE_JAVA_OPTS=-Xmx"}) {
            assertTrue(run.err().contains(advice), "suggests " + advice + ": " + run.err());
        }
    }
}
