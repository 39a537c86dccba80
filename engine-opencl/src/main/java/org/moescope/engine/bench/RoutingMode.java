package org.moescope.engine.bench;

/**
 * How expert choice varies across repeats. The bench routes with the MoE block's own router; what varies is its
 * input: one fixed input makes every repeat choose the same experts (as ggml's test-backend-ops, whose ids are
 * drawn once), so an expert read in one repeat may still be in cache in the next; a fresh random input per repeat
 * makes each repeat choose anew, as consecutive decode steps of a real model do.
 */
public enum RoutingMode {
    FIXED("fixed", "the same input every repeat, so the same experts (cache-friendly, as ggml's test)"),
    RANDOM("random", "a fresh random input every repeat, so fresh experts (cache-honest)");

    private final String label;
    private final String description;

    RoutingMode(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Seed of the input of repeat {@code repeat} (negative for warm-ups): constant when fixed, distinct when random. */
    public long inputSeed(long baseSeed, int repeat) {
        return this == FIXED ? baseSeed : baseSeed + 1_000_003L * (repeat + 1_000);
    }

    public static RoutingMode parse(String s) {
        for (RoutingMode m : values()) {
            if (m.label.equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("routing must be 'fixed' or 'random', got '" + s + "'");
    }
}
