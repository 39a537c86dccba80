package org.moescope.engine.sampling;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from logits: greedy (temperature 0: argmax, ties to the lower id) or temperature + top-p
 * (nucleus) sampling with its own seeded {@link Random}, so a sequence is reproducible from its seed.
 */
public final class Sampler {

    private final float temperature;
    private final float topP;
    private final Random random;

    /**
     * @param temperature 0 for greedy, else > 0
     * @param topP        in (0, 1]: sample among the most probable tokens whose probabilities sum to at least topP
     */
    public Sampler(float temperature, float topP, long seed) {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 and finite, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
        this.temperature = temperature;
        this.topP = topP;
        this.random = new Random(seed);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    /** The next token from {@code logits[offset .. offset + vocab)}. */
    public int sample(float[] logits, int offset, int vocab) {
        return greedy() ? argmax(logits, offset, vocab) : nucleus(logits, offset, vocab);
    }

    /** Index of the largest logit (first one on ties); NaN logits never win. */
    public static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    private int nucleus(float[] logits, int offset, int vocab) {
        float max = logits[offset + argmax(logits, offset, vocab)];
        double[] probs = new double[vocab];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            double p = Math.exp((logits[offset + i] - max) / temperature);
            probs[i] = Double.isNaN(p) ? 0 : p;
            sum += probs[i];
        }
        // Sort by probability, descending, ties to the lower id: key = (float bits of p, ~id), ascending, read backwards.
        long[] keys = new long[vocab];
        for (int i = 0; i < vocab; i++) {
            keys[i] = ((long) Float.floatToIntBits((float) (probs[i] / sum)) << 32) | (0xffffffffL - i);
        }
        Arrays.sort(keys);
        int kept = 0;
        double mass = 0;
        while (kept < vocab) {
            int id = idOf(keys[vocab - 1 - kept]);
            mass += probs[id] / sum;
            kept++;
            if (mass >= topP) {
                break;
            }
        }
        double r = random.nextDouble() * mass;
        for (int j = 0; j < kept; j++) {
            int id = idOf(keys[vocab - 1 - j]);
            r -= probs[id] / sum;
            if (r < 0) {
                return id;
            }
        }
        return idOf(keys[vocab - kept]);
    }

    private static int idOf(long key) {
        return (int) (0xffffffffL - (key & 0xffffffffL));
    }
}
