package org.moescope.app.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.moescope.app.service.ErrorMessages;
import org.moescope.engine.moe.MoeOptions;
import org.moescope.engine.profile.LayerRouting;
import org.moescope.engine.session.InferenceSession;
import org.moescope.engine.session.ScoreResult;

/**
 * {@code moescope score}: prefill logits at every prompt position, the greedy continuation and the router top-k
 * per MoE layer, as JSON in the layout of the Hugging Face reference (prompt_ids, prefill_logits,
 * greedy_continuation, router_topk) so other implementations can be compared with it.
 */
final class ScoreCommand {
    static final String USAGE = """
            moescope score --ids 1,2,3 --json FILE [options]
              --ids LIST           prompt token ids, each in the model's vocabulary
              --json FILE          where the scores go (its folder is made when missing; checked before loading)
              --max-tokens N       greedy continuation length (default 16; stops early at an EOS id; prompt + N
                                   must fit the model's context)
            """ + ModelOptions.HELP;

    private ScoreCommand() {
    }

    static int run(String[] argv, PrintStream out) {
        Set<String> valued = new HashSet<>(ModelOptions.VALUED);
        valued.addAll(Set.of("ids", "max-tokens", "json"));
        CliArgs args = CliArgs.parse("score", argv, 1, valued, ModelOptions.SWITCHES);
        int[] ids = args.ids("ids");
        int maxTokens = args.integer("max-tokens", 16, 1);
        Path json = Path.of(args.required("json"));
        MoeOptions options = ModelOptions.switches(args);
        ModelOptions.Request request = ModelOptions.request(args);
        request.facts().checkIds("score", "--ids", ids);
        request.facts().checkContext("score", ids.length, "--max-tokens", maxTokens);
        OutputFile.check("score", "--json", json, true);
        try (InferenceSession session = ModelOptions.open(args, request)) {
            ScoreResult result = session.score(ids, maxTokens, options);
            write(json, toJson(result, session, options));
            out.printf(Locale.ROOT, "scored %d prompt tokens, %d greedy ids, %d MoE layers -> %s%n", ids.length,
                    result.greedyContinuation().length, result.routing().size(), json);
        }
        return 0;
    }

    static JsonObject toJson(ScoreResult r, InferenceSession session, MoeOptions options) {
        JsonObject root = new JsonObject();
        root.addProperty("model", session.modelName());
        root.addProperty("device", session.device().name());
        root.addProperty("options", options.label());
        root.add("prompt_ids", ints(r.promptIds(), 0, r.promptIds().length));
        JsonArray logits = new JsonArray();
        for (int t = 0; t < r.promptIds().length; t++) {
            JsonArray row = new JsonArray();
            for (int v = 0; v < r.vocab(); v++) {
                row.add(r.prefillLogits()[t * r.vocab() + v]);
            }
            logits.add(row);
        }
        root.add("prefill_logits", logits);
        root.add("greedy_continuation", ints(r.greedyContinuation(), 0, r.greedyContinuation().length));
        JsonArray routing = new JsonArray();
        for (LayerRouting layer : r.routing()) {
            JsonObject o = new JsonObject();
            o.addProperty("layer", layer.layer());
            JsonArray idRows = new JsonArray();
            JsonArray weightRows = new JsonArray();
            for (int t = 0; t < layer.tokens(); t++) {
                idRows.add(ints(layer.ids(), t * layer.k(), layer.k()));
                JsonArray w = new JsonArray();
                for (int s = 0; s < layer.k(); s++) {
                    w.add(layer.weights()[t * layer.k() + s]);
                }
                weightRows.add(w);
            }
            o.add("ids", idRows);
            o.add("weights", weightRows);
            routing.add(o);
        }
        root.add("router_topk", routing);
        return root;
    }

    private static JsonArray ints(int[] values, int from, int count) {
        JsonArray a = new JsonArray();
        for (int i = from; i < from + count; i++) {
            a.add(values[i]);
        }
        return a;
    }

    private static void write(Path file, JsonObject json) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            org.moescope.app.export.AtomicFileWriter.writeText(file,
                    w -> new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(json, w));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + ErrorMessages.ioReason(e), e);
        }
    }
}
