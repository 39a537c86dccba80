package org.moescope.engine.moe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The MoE switches of moe_forward.rs, passed to every forward call so that a caller can change them between steps.
 *
 * @param fusedGateUpSilu one fused gate+up+SiLU kernel instead of gate GEMV, up GEMV, SiLU·mul (decode paths)
 * @param hostTopk        prefill routing on the host: router logits read back, top-k and dispatch built on the host
 * @param directDispatch  prefill GEMM grid sized on the host from max-per-expert instead of the device work list
 * @param profiling       time every stage with device events
 * @param q8Activations   quantized expert weights only: the expert input (and the SiLU output before down) is
 *                        quantized into Q8_0 blocks once per layer and the expert kernels take integer dot products,
 *                        as llama.cpp does; float experts ignore it
 */
public record MoeOptions(boolean fusedGateUpSilu, boolean hostTopk, boolean directDispatch, boolean profiling,
                         boolean q8Activations) {

    /** The fast paths, profiling off, float activations. */
    public static final MoeOptions DEFAULT = new MoeOptions(true, false, false, false, false);

    /** Environment names, as the seed's FERRUM_* knobs. */
    public static final String ENV_FUSED = "MOESCOPE_MOE_FUSED_GATE_UP_SILU";
    public static final String ENV_HOST_TOPK = "MOESCOPE_MOE_HOST_TOPK";
    public static final String ENV_DIRECT = "MOESCOPE_MOE_DIRECT_DISPATCH";
    public static final String ENV_PROFILE = "MOESCOPE_PROFILE";
    public static final String ENV_Q8_ACTIVATIONS = "MOESCOPE_MOE_Q8_ACTIVATIONS";

    /** The four switches of the seed, Q8 activations off. */
    public MoeOptions(boolean fusedGateUpSilu, boolean hostTopk, boolean directDispatch, boolean profiling) {
        this(fusedGateUpSilu, hostTopk, directDispatch, profiling, false);
    }

    /**
     * The seed's parsing: fused is disabled only by "0", host top-k, direct and Q8 activations enabled only by "1",
     * profiling by presence.
     */
    public static MoeOptions fromEnv(Map<String, String> env) {
        boolean fused = true;
        boolean hostTopk = false;
        boolean direct = false;
        boolean profiling = false;
        boolean q8 = false;
        for (Map.Entry<String, String> e : env.entrySet()) {
            String value = e.getValue();
            switch (e.getKey()) {
                case ENV_PROFILE -> profiling = true;
                case ENV_FUSED -> fused = !"0".equals(value);
                case ENV_HOST_TOPK -> hostTopk = "1".equals(value);
                case ENV_DIRECT -> direct = "1".equals(value);
                case ENV_Q8_ACTIVATIONS -> q8 = "1".equals(value);
                default -> { }
            }
        }
        return new MoeOptions(fused, hostTopk, direct, profiling, q8);
    }

    public static MoeOptions fromEnv() {
        return fromEnv(System.getenv());
    }

    /** Indirect dispatch runs only when routing ran on the device and direct is not forced (as in the seed). */
    public boolean indirectDispatch() {
        return !hostTopk && !directDispatch;
    }

    public MoeOptions withFusedGateUpSilu(boolean v) {
        return new MoeOptions(v, hostTopk, directDispatch, profiling, q8Activations);
    }

    public MoeOptions withHostTopk(boolean v) {
        return new MoeOptions(fusedGateUpSilu, v, directDispatch, profiling, q8Activations);
    }

    public MoeOptions withDirectDispatch(boolean v) {
        return new MoeOptions(fusedGateUpSilu, hostTopk, v, profiling, q8Activations);
    }

    public MoeOptions withProfiling(boolean v) {
        return new MoeOptions(fusedGateUpSilu, hostTopk, directDispatch, v, q8Activations);
    }

    public MoeOptions withQ8Activations(boolean v) {
        return new MoeOptions(fusedGateUpSilu, hostTopk, directDispatch, profiling, v);
    }

    /** The 8 combinations of the three kernel switches, with the given profiling state and float activations. */
    public static List<MoeOptions> allSwitchCombinations(boolean profiling) {
        return allSwitchCombinations(profiling, false);
    }

    /** The 8 combinations of the three kernel switches, with the given profiling and Q8 activations states. */
    public static List<MoeOptions> allSwitchCombinations(boolean profiling, boolean q8Activations) {
        List<MoeOptions> all = new ArrayList<>();
        for (int bits = 0; bits < 8; bits++) {
            all.add(new MoeOptions((bits & 1) == 0, (bits & 2) != 0, (bits & 4) != 0, profiling, q8Activations));
        }
        return all;
    }

    /** Short label, e.g. "fused,device-topk,indirect", with ",q8" appended when Q8 activations are on. */
    public String label() {
        return (fusedGateUpSilu ? "fused" : "unfused") + "," + (hostTopk ? "host-topk" : "device-topk") + ","
                + (directDispatch ? "direct" : "indirect") + (q8Activations ? ",q8" : "");
    }
}
