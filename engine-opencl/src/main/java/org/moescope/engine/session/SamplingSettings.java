package org.moescope.engine.session;

/**
 * Sampling: temperature 0 = greedy (argmax, ties to the lower id); otherwise temperature + top-p with a
 * {@link java.util.Random} seeded per sequence ({@code seed + sequence index}), so runs are reproducible.
 *
 * @param topP in (0, 1]
 */
public record SamplingSettings(float temperature, float topP, long seed) {

    public static final SamplingSettings GREEDY = new SamplingSettings(0f, 1f, 0L);

    public SamplingSettings {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be >= 0 and finite, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
