package org.moescope.app.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.StageCounters;
import org.moescope.engine.profile.StageSpan;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.SamplingSettings;
import org.moescope.engine.session.StepResult;
import org.moescope.engine.tokenizer.ChatTemplate;

/** {@code moescope generate}: prefill a prompt, stream new tokens, print timings (and the stage table with --profile). */
final class GenerateCommand {
    static final String USAGE = """
            moescope generate (--prompt TEXT | --ids 1,2,3) [options]
              --chat               wrap --prompt in the model's chat template as one user turn followed by the
                                   assistant's (Qwen's ChatML: <|im_start|>user ... <|im_end|>), so an instruction
                                   model answers instead of continuing the text; needs a model with a chat template
                                   (a GGUF file's tokenizer.chat_template, or tokenizer_config.json's)
              --no-think           with --chat: close an empty <think></think> block first, as Qwen3's template
                                   does for enable_thinking=false, so the model answers without reasoning
              --max-tokens N       new tokens per sequence (default 64; prompt + N must fit the model's context)
              --batch B            B sequences on the same prompt, decoded together (batched decode; default 1,
                                   at most 256: each sequence holds its own KV cache)
              --temperature T      0 = greedy (default); > 0 samples; at most 100
              --top-p P            nucleus sampling threshold in (0, 1] (default 1)
              --seed S             sampling seed (default 0)
            """ + ModelOptions.HELP;

    /**
     * The largest --batch: every sequence holds a KV cache of prompt + max-tokens positions and every decode step
     * runs all of them, so a typo such as 100000 would allocate for minutes; with 128 experts and top-8 routing,
     * 256 sequences already keep every expert busy, which is what batched decode is profiled for.
     */
    static final int MAX_BATCH = 256;

    private GenerateCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Set<String> valued = new HashSet<>(ModelOptions.VALUED);
        valued.addAll(Set.of("prompt", "ids", "max-tokens", "batch", "temperature", "top-p", "seed"));
        Set<String> switches = new HashSet<>(ModelOptions.SWITCHES);
        switches.addAll(Set.of("chat", "no-think"));
        CliArgs args = CliArgs.parse("generate", argv, 1, valued, switches);
        if (args.present("prompt") == args.present("ids")) {
            throw new CliArgs.UsageException("generate: give exactly one of --prompt TEXT or --ids 1,2,3");
        }
        if (args.has("chat") && args.present("ids")) {
            throw new CliArgs.UsageException("generate: --chat applies a template to --prompt TEXT, not to --ids");
        }
        if (args.has("no-think") && !args.has("chat")) {
            throw new CliArgs.UsageException("generate: --no-think only applies with --chat");
        }
        int maxTokens = args.integer("max-tokens", 64, 1);
        int batch = args.integer("batch", 1, 1, MAX_BATCH, "each sequence holds its own KV cache and every step "
                + "decodes all of them; " + MAX_BATCH + " already keep every expert of a 128-expert model busy");
        SamplingSettings sampling = new SamplingSettings(args.number("temperature", 0f, 0f, false, 100f),
                args.number("top-p", 1f, 0f, true, 1f), args.longValue("seed", 0));
        MoeOptions options = ModelOptions.switches(args);
        int[] ids = args.present("ids") ? args.ids("ids") : null;
        ModelOptions.Request request = ModelOptions.request(args);
        ModelFacts facts = request.facts();
        if (ids != null) {
            facts.checkIds("generate", "--ids", ids);
            facts.checkContext("generate", ids.length, "--max-tokens", maxTokens);
        } else {
            checkTextPrompt(args, facts);
            // the prompt's exact length is known once the tokenizer has loaded
            facts.checkRoomForAPrompt("generate", "--max-tokens", maxTokens);
        }

        try (InferenceSession session = ModelOptions.open(args, request)) {
            int[] prompt = ids;
            if (prompt == null) {
                prompt = encode(args, session);
                facts.checkContext("generate", prompt.length, "--max-tokens", maxTokens);
            }
            List<StepResult> steps = new ArrayList<>();
            StepResult prefill = session.prefill(prompt, batch, maxTokens, sampling, options, false);
            steps.add(prefill);
            boolean text = session.hasTokenizer();
            out.print(text ? session.decode(prompt) : idList(prompt));
            streamFirst(prefill, text, out);
            while (!session.finished()) {
                StepResult step = session.step(options, false);
                steps.add(step);
                streamFirst(step, text, out);
            }
            out.println();
            if (batch > 1) {
                List<int[]> all = session.generatedTokens();
                for (int s = 0; s < all.size(); s++) {
                    out.printf(Locale.ROOT, "--- sequence %d: %s%n", s, text ? session.decode(all.get(s)) : idList(all.get(s)));
                }
            }
            printTimings(steps, prompt.length, batch, out);
            if (options.profiling()) {
                List<StageSpan> spans = steps.stream().flatMap(s -> s.spans().stream()).toList();
                out.println();
                StageTableFormatter.print(StageCounters.of(spans), out);
            }
        }
        return 0;
    }

    /** Refuses, before loading, a text prompt the model cannot tokenize or a --chat it has no template for. */
    private static void checkTextPrompt(CliArgs args, ModelFacts facts) {
        if (!facts.hasTokenizer()) {
            throw noTokenizer(facts.name());
        }
        if (args.has("chat") && Boolean.FALSE.equals(facts.hasChatTemplate())) {
            throw noChatTemplate(facts.name());
        }
    }

    private static CliArgs.UsageException noTokenizer(String model) {
        return new CliArgs.UsageException("generate: --prompt: model '" + model + "' has no tokenizer (no "
                + "tokenizer.json in its folder, no tokenizer.ggml.* in a GGUF file, none in a synthetic preset): "
                + "give the prompt as token ids, --ids 1,2,3");
    }

    private static CliArgs.UsageException noChatTemplate(String model) {
        return new CliArgs.UsageException("generate: --chat: model '" + model + "' has no chat template (neither "
                + "tokenizer.chat_template in a GGUF file nor chat_template in tokenizer_config.json); "
                + "run without --chat to continue the prompt as plain text");
    }

    /** --prompt as given, or with --chat as a user turn in the model's chat template, as token ids. */
    private static int[] encode(CliArgs args, InferenceSession session) {
        if (!session.hasTokenizer()) {
            throw noTokenizer(session.modelName());
        }
        String prompt = args.required("prompt");
        if (args.has("chat")) {
            String template = session.chatTemplate();
            if (template == null) {
                throw noChatTemplate(session.modelName());
            }
            prompt = ChatTemplate.of(template).userTurn(prompt, !args.has("no-think"));
        }
        int[] ids = session.encode(prompt);
        if (ids.length == 0) {
            throw new CliArgs.UsageException("generate: --prompt encodes to no tokens; give some text");
        }
        return ids;
    }

    private static void streamFirst(StepResult step, boolean text, PrintStream out) {
        if (step.newTokens().length == 0) {
            return;
        }
        out.print(text ? step.newText()[0] : " " + step.newTokens()[0]);
        out.flush();
    }

    static String idList(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ids.length; i++) {
            b.append(i == 0 ? "" : " ").append(ids[i]);
        }
        return b.toString();
    }

    private static void printTimings(List<StepResult> steps, int promptTokens, int batch, PrintStream out) {
        StepResult prefill = steps.get(0);
        double prefillMs = prefill.wallNanos() / 1e6;
        out.printf(Locale.ROOT, "prefill: %d tokens x %d sequences in %.1f ms (%.1f tokens/s)%n", promptTokens, batch,
                prefillMs, promptTokens * batch / (prefillMs / 1000));
        long decodeNanos = 0;
        int decodeTokens = 0;
        for (int i = 1; i < steps.size(); i++) {
            decodeNanos += steps.get(i).wallNanos();
            decodeTokens += steps.get(i).tokensProcessed();
        }
        if (decodeTokens > 0) {
            double ms = decodeNanos / 1e6;
            out.printf(Locale.ROOT, "decode:  %d steps, %d tokens in %.1f ms (%.1f tokens/s, %.2f ms/step)%n",
                    steps.size() - 1, decodeTokens, ms, decodeTokens / (ms / 1000), ms / (steps.size() - 1));
        }
    }
}
