package org.moescope.app.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moescope.engine.model.gguf.GgufFile;
import org.moescope.engine.model.gguf.GgufTensor;
import org.moescope.engine.model.gguf.GgufValue;
import org.moescope.engine.model.gguf.GgufWriter;

/** The headless CLI as a user runs it: exit codes, messages, and the figures it reports. */
class CliTest {
    /** The Hugging Face reference checkpoint the engine's tests use (surefire runs in the module folder). */
    private static final Path HF_TINY = Path.of("../engine-opencl/src/test/resources/org/moescope/engine/hf-qwen3moe-tiny");
    private static final Path SAMPLE_Q8_GGUF =
            Path.of("../engine-opencl/src/test/resources/org/moescope/engine/gguf/gguf-sample-q8/model.gguf");

    record Run(int code, String out, String err) {
    }

    static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentsPrintsUsageAndUnknownCommandsAreRefused() {
        Run none = cli();
        assertEquals(2, none.code());
        assertTrue(none.out().contains("moescope generate"), none.out());
        Run unknown = cli("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown command 'frobnicate'"), unknown.err());
    }

    @Test
    void badOptionsNameTheOption() {
        Run neither = cli("generate", "--model", "qwen3-tiny");
        assertEquals(2, neither.code());
        assertTrue(neither.err().contains("exactly one of --prompt TEXT or --ids"), neither.err());
        Run notNumber = cli("generate", "--ids", "1,2", "--max-tokens", "lots");
        assertEquals(2, notNumber.code());
        assertTrue(notNumber.err().contains("--max-tokens must be an integer, got 'lots'"), notNumber.err());
        Run typo = cli("generate", "--ids", "1,2", "--temprature", "0.5");
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("unknown option --temprature"), typo.err());
        Run badIds = cli("score", "--ids", "1,x", "--json", "out.json");
        assertEquals(2, badIds.code());
        assertTrue(badIds.err().contains("--ids must be comma-separated token ids, got 'x'"), badIds.err());
        Run layersOnFolder = cli("generate", "--model", HF_TINY.toString(), "--layers", "1", "--ids", "1");
        assertEquals(2, layersOnFolder.code());
        assertTrue(layersOnFolder.err().contains("--layers and --dtype apply only to synthetic presets"),
                layersOnFolder.err());
    }

    @Test
    void devicesListsTheJavaReference() {
        Run run = cli("devices");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("Java reference"), run.out());
    }

    @Test
    void generateStreamsTokensAndPrintsTimingsAndTheStageTable() {
        Run run = cli("generate", "--model", "qwen3-tiny", "--device", "java", "--ids", "1,2,3", "--max-tokens", "3",
                "--profile", "--no-fused-gate-up-silu");
        assertEquals(0, run.code(), run.err());
        String firstLine = run.out().lines().findFirst().orElseThrow();
        assertEquals(6, firstLine.trim().split(" +").length, "3 prompt ids then 3 new ids: " + firstLine);
        assertTrue(run.out().contains("prefill: 3 tokens x 1 sequences"), run.out());
        assertTrue(run.out().contains("decode:  2 steps, 2 tokens"), run.out());
        // unfused switch: the decode path runs gate, up and silu, never the fused kernel
        assertTrue(run.out().lines().anyMatch(l -> l.matches("decode +moe +silu .*")), run.out());
        assertTrue(run.out().lines().noneMatch(l -> l.contains("gate_up_silu")), run.out());
    }

    @Test
    void q8ActivationsOnFloatExpertsLeaveTheStagesAsTheyAre() {
        Run run = cli("generate", "--model", "qwen3-tiny", "--device", "java", "--ids", "1,2,3", "--max-tokens", "2",
                "--profile", "--q8-activations");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("decode +moe +gate_up_silu .*")), run.out());
        assertTrue(run.out().lines().noneMatch(l -> l.contains("q8")), "BF16 experts take float activations: " + run.out());
    }

    @Test
    void promptTextWithoutTokenizerIsAReadableError() {
        Run run = cli("generate", "--model", "qwen3-tiny", "--device", "java", "--prompt", "hello");
        assertEquals(2, run.code());
        assertTrue(run.err().contains("has no tokenizer") && run.err().contains("--ids"), run.err());
    }

    @Test
    void aTextPromptThatOverflowsTheContextOnceTokenizedIsAUsageError() {
        // "A computer" is 2 tokens of the sample model: 2 + 511 > 512, known only after its tokenizer has loaded
        Run run = cli("generate", "--device", "java", "--prompt", "A computer", "--max-tokens", "511");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("the prompt (2 tokens) + --max-tokens 511 = 513 tokens exceed the context of "
                + "sample-weights (512 tokens") && run.err().contains("give --max-tokens 510 or less"), run.err());
    }

    @Test
    void chatNeedsAModelWithAChatTemplateAndAPrompt() {
        // the bundled sample model has no chat template
        Run run = cli("generate", "--device", "java", "--chat", "--prompt", "hello", "--max-tokens", "1");
        assertEquals(2, run.code(), "a usage error, known once the model is open");
        assertTrue(run.err().contains("has no chat template") && run.err().contains("without --chat"), run.err());
        Run ids = cli("generate", "--device", "java", "--chat", "--ids", "1,2");
        assertEquals(2, ids.code());
        assertTrue(ids.err().contains("--chat applies a template to --prompt TEXT"), ids.err());
        Run noThink = cli("generate", "--device", "java", "--no-think", "--prompt", "hello");
        assertEquals(2, noThink.code());
        assertTrue(noThink.err().contains("--no-think only applies with --chat"), noThink.err());
    }

    @Test
    void chatWrapsThePromptInTheModelsChatMLTemplate(@TempDir Path dir) throws IOException {
        Path sample = Path.of("../sample-weights").toAbsolutePath().normalize();
        for (String file : new String[] {"config.json", "model.safetensors", "tokenizer.json"}) {
            Files.copy(sample.resolve(file), dir.resolve(file));
        }
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{% for m in messages %}"
                + "{{'<|im_start|>' + m['role'] + '\\\\n' + m['content'] + '<|im_end|>\\\\n'}}{% endfor %}"
                + "{% if add_generation_prompt %}{{'<|im_start|>assistant\\\\n'}}{% if enable_thinking is defined "
                + "and enable_thinking is false %}{{'<think>\\\\n\\\\n</think>\\\\n\\\\n'}}{% endif %}{% endif %}\"}");
        Run run = cli("generate", "--model", dir.toString(), "--device", "java", "--chat", "--no-think",
                "--prompt", "Tell me a story.", "--max-tokens", "1");
        assertEquals(0, run.code(), run.err());
        // the echoed prompt is the decoded template output
        assertTrue(run.out().startsWith("<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n"
                + "<think>\n\n</think>\n\n"), run.out());
    }

    @Test
    void chatOnAGgufFileUsesItsChatTemplate(@TempDir Path dir) throws IOException {
        Run none = cli("generate", "--model", SAMPLE_Q8_GGUF.toString(), "--chat", "--prompt", "hi",
                "--max-tokens", "1");
        assertEquals(2, none.code(), "known from the file's metadata, before loading");
        assertTrue(none.err().contains("model 'model.gguf' has no chat template"), none.err());

        // the same file with Qwen3's tokenizer.chat_template added
        Path withTemplate = dir.resolve("sample-chat.gguf");
        try (GgufFile file = GgufFile.open(SAMPLE_Q8_GGUF)) {
            GgufWriter writer = new GgufWriter();
            file.metadata().forEach(writer::put);
            writer.put("tokenizer.chat_template", GgufValue.string(
                    "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + "
                    + "'<|im_end|>\\n' }}{%- endfor %}\n{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}"
                    + "\n    {%- if enable_thinking is defined and enable_thinking is false %}\n"
                    + "        {{- '<think>\\n\\n</think>\\n\\n' }}\n    {%- endif %}\n{%- endif %}\n"));
            for (GgufTensor t : file.tensors().values()) {
                writer.addRawTensor(t.name(), t.ggmlType(), t.ne(), t.bytes(),
                        out -> out.write(file.bytes(t, 0, Math.toIntExact(t.bytes()))));
            }
            writer.write(withTemplate);
        }
        Run run = cli("generate", "--model", withTemplate.toString(), "--chat",
                "--prompt", "Tell me a story.", "--max-tokens", "1");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().startsWith("<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n"),
                run.out());
        assertTrue(!run.out().contains("<think>"), run.out());
    }

    @Test
    void scoreReproducesTheHuggingFaceReference(@TempDir Path dir) throws IOException {
        JsonObject reference = JsonParser.parseString(Files.readString(HF_TINY.resolve("reference.json"))).getAsJsonObject();
        int[] prompt = ints(reference.getAsJsonArray("prompt_ids"));
        String ids = String.join(",", IntStream.of(prompt).mapToObj(Integer::toString).toList());
        Path json = dir.resolve("score.json");
        Run run = cli("score", "--model", HF_TINY.toString(), "--device", "java", "--ids", ids, "--max-tokens", "16",
                "--json", json.toString());
        assertEquals(0, run.code(), run.err());

        JsonObject scored = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertArrayEquals(prompt, ints(scored.getAsJsonArray("prompt_ids")));
        assertArrayEquals(ints(reference.getAsJsonArray("greedy_continuation")),
                ints(scored.getAsJsonArray("greedy_continuation")));
        JsonArray refLogits = reference.getAsJsonArray("prefill_logits");
        JsonArray ourLogits = scored.getAsJsonArray("prefill_logits");
        assertEquals(refLogits.size(), ourLogits.size());
        for (int t = 0; t < refLogits.size(); t++) {
            JsonArray r = refLogits.get(t).getAsJsonArray();
            JsonArray o = ourLogits.get(t).getAsJsonArray();
            double max = 0;
            for (int v = 0; v < r.size(); v++) {
                max = Math.max(max, Math.abs(r.get(v).getAsDouble()));
            }
            for (int v = 0; v < r.size(); v++) {
                // 3e-3 x max|logit|: the engine's F32 rotary table vs the reference's BF16-rounded one (see HfReferenceTest)
                assertEquals(r.get(v).getAsDouble(), o.get(v).getAsDouble(), 3e-3 * max, "logit [" + t + "][" + v + "]");
            }
        }
        JsonArray refRouting = reference.getAsJsonArray("router_topk");
        JsonArray ourRouting = scored.getAsJsonArray("router_topk");
        assertEquals(refRouting.size(), ourRouting.size());
        for (int l = 0; l < refRouting.size(); l++) {
            JsonArray r = refRouting.get(l).getAsJsonObject().getAsJsonArray("ids");
            JsonArray o = ourRouting.get(l).getAsJsonObject().getAsJsonArray("ids");
            for (int t = 0; t < r.size(); t++) {
                int[] want = ints(r.get(t).getAsJsonArray());
                int[] got = ints(o.get(t).getAsJsonArray());
                java.util.Arrays.sort(want);
                java.util.Arrays.sort(got);
                assertArrayEquals(want, got, "layer " + l + " token " + t + " top-k set");
            }
        }
    }

    private static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsInt();
        }
        return out;
    }
}
