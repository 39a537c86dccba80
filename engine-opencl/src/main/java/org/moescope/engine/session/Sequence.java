package org.moescope.engine.session;

import java.util.Arrays;
import org.moescope.engine.model.KvCache;
import org.moescope.engine.sampling.Sampler;
import org.moescope.engine.tokenizer.TextTokenizer;

/** One generated sequence of a session: its KV cache, sampler, tokens so far and streamed text. */
final class Sequence implements AutoCloseable {

    final int index;
    final KvCache cache;
    final Sampler sampler;
    private final int budget;
    private int[] generated = new int[16];
    private int count;
    private boolean finished;
    private String emittedText = "";

    Sequence(int index, KvCache cache, Sampler sampler, int budget) {
        this.index = index;
        this.cache = cache;
        this.sampler = sampler;
        this.budget = budget;
    }

    boolean finished() {
        return finished;
    }

    int lastToken() {
        return generated[count - 1];
    }

    int[] tokens() {
        return Arrays.copyOf(generated, count);
    }

    /** Records a new token; the sequence finishes on an EOS id or when the budget is used up. */
    void accept(int token, boolean eos) {
        if (count == generated.length) {
            generated = Arrays.copyOf(generated, count * 2);
        }
        generated[count++] = token;
        finished = eos || count >= budget;
    }

    /**
     * The text the last token added: the decoded sequence minus what was already emitted. A trailing U+FFFD (a
     * multi-byte character cut between tokens) is held back until the next token completes it.
     */
    String nextText(TextTokenizer tokenizer) {
        if (tokenizer == null) {
            return "";
        }
        String full = tokenizer.decode(tokens());
        if (full.endsWith("\uFFFD") && !finished) {
            return "";
        }
        String piece = full.startsWith(emittedText) ? full.substring(emittedText.length())
                : tokenizer.decode(new int[] {lastToken()});
        emittedText = full;
        return piece;
    }

    @Override
    public void close() {
        cache.close();
    }
}
