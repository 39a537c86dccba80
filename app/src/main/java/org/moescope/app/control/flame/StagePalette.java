package org.moescope.app.control.flame;

import java.util.List;

/**
 * Which colour each flame-chart key (stage, block, "step", "layer") gets: a fixed slot per known name, so a stage
 * keeps its colour across runs and switch settings, and a stable hash slot for names the engine adds later. The
 * colours themselves are CSS ({@code -flame-stage-colors} on {@code .flame-chart}, one per {@link #KEYS} entry, in
 * order); {@link #DEFAULT_COLORS} are used until CSS is applied.
 */
public final class StagePalette {

    /**
     * Known keys in slot order: MoE stages (those of Q8 activations last), attention stages, model stages, then
     * parent rows.
     */
    public static final List<String> KEYS = List.of(
            "router", "route", "route_ids", "host_topk", "gate", "up", "silu", "gate_up_silu", "down", "wsum",
            "quantize_q8", "gate_q8", "up_q8", "gate_up_silu_q8", "quantize_q8_down", "down_q8",
            "input_norm", "qkv", "qk_norm", "rope", "attn", "o_proj", "residual",
            "embed", "final_norm", "lm_head", "post_norm", "mlp_gate_up", "mlp_down",
            "step", "layer", "model", "attention", "moe", "mlp");

    /**
     * Default colours, one per key (MoE warm, its Q8-activation stages purple so a chart shows at a glance which
     * path ran, attention cool, model greys, parents muted).
     */
    public static final List<String> DEFAULT_COLORS = List.of(
            "#e6550d", "#fd8d3c", "#fdae6b", "#f16913", "#d94801", "#fb6a4a", "#fcbba1", "#cb181d", "#a50f15", "#fdd0a2",
            "#bcbddc", "#6a51a3", "#9e9ac8", "#54278f", "#dadaeb", "#3f007d",
            "#9ecae1", "#3182bd", "#6baed6", "#c6dbef", "#08519c", "#4292c6", "#deebf7",
            "#969696", "#bdbdbd", "#636363", "#d9d9d9", "#74c476", "#31a354",
            "#cfd8dc", "#b0bec5", "#d7ccc8", "#90caf9", "#ffcc80", "#a5d6a7");

    private StagePalette() {
    }

    /** Slot of {@code key} in a palette of {@code size} colours. */
    public static int slot(String key, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("size must be > 0, got " + size);
        }
        int known = KEYS.indexOf(key);
        if (known >= 0 && known < size) {
            return known;
        }
        return Math.floorMod(key.hashCode(), size);
    }

    /** Whether a key names a MoE-block stage (drawn first in the legend). */
    public static boolean isMoeStage(String key) {
        int known = KEYS.indexOf(key);
        return known >= 0 && known < KEYS.indexOf("input_norm");
    }
}
