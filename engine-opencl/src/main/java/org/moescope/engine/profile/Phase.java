package org.moescope.engine.profile;

/** The three forward paths of the seed. */
public enum Phase {
    PREFILL("prefill"), DECODE("decode"), BATCHED_DECODE("batched_decode");

    private final String label;

    Phase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
