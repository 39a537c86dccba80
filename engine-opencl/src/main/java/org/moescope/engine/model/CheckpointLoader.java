package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;

/**
 * Loads a Hugging Face safetensors checkpoint onto a backend. Every tensor is checked against the
 * {@link WeightLayout} (names and shapes) before anything is allocated.
 *
 * <p>Experts come in either of Hugging Face's layouts: per expert ({@code mlp.experts.E.gate_proj.weight}, what
 * transformers 4.x and, by default, 5.x save) or fused per layer as transformers 5.x holds them in memory
 * ({@code mlp.experts.gate_up_proj [E, 2 * inter, hidden]}, gate rows first, and {@code mlp.experts.down_proj
 * [E, hidden, inter]}). Both are uploaded into the same stacked buffers.
 *
 * <p>Weights keep their checkpoint dtype on the device, with one exception: a stacked expert buffer needs one dtype,
 * and a layer's gate and up stacks the same one (the fused gate+up kernel), so when a checkpoint mixes dtypes there
 * they are widened to F32 on load (lossless).
 */
public final class CheckpointLoader {

    /** How many names an error lists before "... and N more". */
    private static final int LISTED = 8;

    /** Elements [offset, offset + elements) of checkpoint tensor {@code tensor}. */
    record Slice(String tensor, long offset, long elements) {
    }

    /** Where one buffer's elements come from, in buffer order, and the shape each source tensor must have. */
    record Plan(WeightSpec spec, List<Slice> slices, Map<String, long[]> shapes) {
    }

    private CheckpointLoader() {
    }

    public static ModelWeights load(SafetensorsCheckpoint checkpoint, ModelConfig config, Backend backend,
                                    LoadProgress progress) {
        checkCounts(checkpoint, config);
        List<WeightSpec> specs = WeightLayout.of(config);
        List<Plan> plans = new ArrayList<>();
        for (WeightSpec spec : specs) {
            plans.add(plan(spec, checkpoint.tensors().keySet()));
        }
        Map<String, DType> dtypes = validate(checkpoint, config, plans);
        return WeightAllocation.build(backend, config, specs, s -> dtypes.get(s.key()), (index, spec, buffer) -> {
            long at = 0;
            for (Slice slice : plans.get(index).slices()) {
                // a per-expert checkpoint fills one stacked buffer from hundreds of tensors: a cancel need not wait
                progress.stopIfCancelled();
                checkpoint.upload(slice.tensor(), slice.offset(), slice.elements(), backend, buffer, at);
                at += slice.elements();
            }
        }, progress);
    }

    private static final Pattern LAYER = Pattern.compile("^model\\.layers\\.(\\d{1,9})\\.");
    private static final Pattern EXPERT = Pattern.compile("\\.mlp\\.experts\\.(\\d{1,9})\\.");

    /**
     * The config's layer and expert counts against the tensors the checkpoint has, before the layout lists a name
     * for each: a corrupt count (num_hidden_layers 65536) is refused in one sentence instead of a list of millions.
     */
    static void checkCounts(SafetensorsCheckpoint checkpoint, ModelConfig config) {
        long layers = 0;
        long experts = 0;
        for (Map.Entry<String, SafetensorsFile.Tensor> e : checkpoint.tensors().entrySet()) {
            Matcher l = LAYER.matcher(e.getKey());
            if (l.find()) {
                layers = Math.max(layers, Long.parseLong(l.group(1)) + 1);
            }
            Matcher x = EXPERT.matcher(e.getKey());
            if (x.find()) {
                experts = Math.max(experts, Long.parseLong(x.group(1)) + 1);
            } else if (e.getKey().endsWith(".mlp.experts.down_proj") && e.getValue().shape().length > 0) {
                experts = Math.max(experts, e.getValue().shape()[0]); // fused experts: [E, hidden, inter]
            }
        }
        if (config.numHiddenLayers() > layers) {
            throw new EngineException(checkpoint.describingFile() + " has tensors of " + layers + " layer(s), but "
                    + "config.json says num_hidden_layers=" + config.numHiddenLayers());
        }
        if (config.hasMoeLayers() && config.numExperts() > experts) {
            throw new EngineException(checkpoint.describingFile() + " has tensors of " + experts + " expert(s) per "
                    + "layer, but config.json says num_experts=" + config.numExperts());
        }
    }

    /** Per-expert tensors, or slices of the fused tensors when the checkpoint holds those for this layer. */
    static Plan plan(WeightSpec spec, Set<String> names) {
        String key = spec.key();
        int cut = key.lastIndexOf(".mlp.experts.");
        if (spec.parts().size() > 1 && cut >= 0) {
            String prefix = key.substring(0, cut) + ".mlp.experts.";
            long experts = spec.shape()[0];
            long rows = spec.shape()[1];
            long cols = spec.shape()[2];
            boolean down = key.endsWith(".down_proj");
            String fused = prefix + (down ? "down_proj" : "gate_up_proj");
            if (names.contains(fused)) {
                List<Slice> slices = new ArrayList<>();
                if (down) {
                    slices.add(new Slice(fused, 0, experts * rows * cols));
                    return new Plan(spec, slices, Map.of(fused, spec.shape()));
                }
                // gate_up [E, 2 * inter, hidden]: expert e's gate rows, then its up rows
                long upShift = key.endsWith(".up_proj") ? rows * cols : 0;
                for (long e = 0; e < experts; e++) {
                    slices.add(new Slice(fused, e * 2 * rows * cols + upShift, rows * cols));
                }
                return new Plan(spec, slices, Map.of(fused, new long[] {experts, 2 * rows, cols}));
            }
        }
        List<Slice> slices = new ArrayList<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        long partElements = spec.elements() / spec.parts().size();
        for (String part : spec.parts()) {
            slices.add(new Slice(part, 0, partElements));
            shapes.put(part, spec.partShape());
        }
        return new Plan(spec, slices, shapes);
    }

    /** Checks names, shapes and dtypes; returns the dtype of each buffer. */
    static Map<String, DType> validate(SafetensorsCheckpoint checkpoint, ModelConfig config, List<Plan> plans) {
        Map<String, SafetensorsFile.Tensor> tensors = checkpoint.tensors();
        Map<String, long[]> expected = new LinkedHashMap<>();
        for (Plan p : plans) {
            expected.putAll(p.shapes());
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!tensors.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new EngineException(checkpoint.describingFile() + " is missing " + missing.size()
                    + " tensor(s) that config.json needs: " + list(missing));
        }
        Set<String> unexpected = new TreeSet<>();
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name) && !ignorable(name, config)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new EngineException(checkpoint.describingFile() + " has " + unexpected.size()
                    + " unexpected tensor(s) that config.json does not describe (num_hidden_layers=" + config.numHiddenLayers() + ", experts=" + config.numExperts()
                    + "): " + list(new ArrayList<>(unexpected)));
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            SafetensorsFile.Tensor t = tensors.get(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new EngineException("tensor '" + e.getKey() + "' of " + checkpoint.describingFile() + " has shape "
                        + t.shapeString() + ", expected " + Arrays.toString(e.getValue()) + " from config.json");
            }
        }
        Map<String, DType> dtypes = new HashMap<>();
        for (Plan p : plans) {
            DType dtype = null;
            for (String name : p.shapes().keySet()) {
                DType d = tensors.get(name).dtype();
                dtype = dtype == null || dtype == d ? d : DType.F32;
            }
            dtypes.put(p.spec().key(), dtype);
        }
        // The fused gate+up kernel reads both stacks with one weight type.
        for (Plan p : plans) {
            String key = p.spec().key();
            if (key.endsWith(".mlp.experts.gate_proj")) {
                String up = key.replace(".gate_proj", ".up_proj");
                if (dtypes.get(key) != dtypes.get(up)) {
                    dtypes.put(key, DType.F32);
                    dtypes.put(up, DType.F32);
                }
            }
        }
        return dtypes;
    }

    /**
     * Tensors some exporters write that the model does not use: a tied lm_head copy, and the rotary inverse
     * frequencies older transformers versions saved as buffers.
     */
    private static boolean ignorable(String name, ModelConfig config) {
        return (config.tieWordEmbeddings() && name.equals("lm_head.weight")) || name.endsWith(".rotary_emb.inv_freq");
    }

    private static String list(List<String> names) {
        List<String> shown = names.subList(0, Math.min(LISTED, names.size()));
        String more = names.size() > LISTED ? " ... and " + (names.size() - LISTED) + " more" : "";
        return String.join(", ", shown) + more;
    }
}
