package org.moescope.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.EngineException;

/**
 * Loads a Hugging Face safetensors checkpoint onto a backend. Every tensor is checked against the
 * {@link WeightLayout} (names, shapes, one dtype per stacked expert buffer) before anything is allocated; weights keep
 * their checkpoint dtype on the device.
 */
public final class CheckpointLoader {

    /** How many names an error lists before "... and N more". */
    private static final int LISTED = 8;

    private CheckpointLoader() {
    }

    public static ModelWeights load(SafetensorsCheckpoint checkpoint, ModelConfig config, Backend backend,
                                    LoadProgress progress) {
        List<WeightSpec> specs = WeightLayout.of(config);
        Map<String, DType> dtypes = validate(checkpoint, config, specs);
        return WeightAllocation.build(backend, config, specs, s -> dtypes.get(s.key()), (spec, buffer) -> {
            long partElements = spec.elements() / spec.parts().size();
            for (int i = 0; i < spec.parts().size(); i++) {
                checkpoint.upload(spec.parts().get(i), backend, buffer, i * partElements);
            }
        }, progress);
    }

    /** Checks names, shapes and dtypes; returns the dtype of each buffer. */
    static Map<String, DType> validate(SafetensorsCheckpoint checkpoint, ModelConfig config, List<WeightSpec> specs) {
        Map<String, SafetensorsFile.Tensor> tensors = checkpoint.tensors();
        Set<String> expected = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (WeightSpec s : specs) {
            for (String part : s.parts()) {
                expected.add(part);
                if (!tensors.containsKey(part)) {
                    missing.add(part);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new EngineException("checkpoint is missing " + missing.size() + " tensor(s) the config needs: " + list(missing));
        }
        Set<String> unexpected = new TreeSet<>();
        for (String name : tensors.keySet()) {
            if (!expected.contains(name) && !ignorable(name, config)) {
                unexpected.add(name);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new EngineException("checkpoint has " + unexpected.size() + " unexpected tensor(s) for this config "
                    + "(num_hidden_layers=" + config.numHiddenLayers() + ", experts=" + config.numExperts()
                    + "): " + list(new ArrayList<>(unexpected)));
        }
        Map<String, DType> dtypes = new HashMap<>();
        for (WeightSpec s : specs) {
            long[] want = s.partShape();
            DType dtype = null;
            for (String part : s.parts()) {
                SafetensorsFile.Tensor t = tensors.get(part);
                if (!Arrays.equals(t.shape(), want)) {
                    throw new EngineException("tensor '" + part + "' has shape " + t.shapeString() + ", expected "
                            + Arrays.toString(want) + " from config.json");
                }
                if (dtype != null && t.dtype() != dtype) {
                    throw new EngineException("tensor '" + part + "' is " + t.dtype() + " but the other experts of "
                            + s.key() + " are " + dtype + " (one dtype per stacked expert buffer)");
                }
                dtype = t.dtype();
            }
            dtypes.put(s.key(), dtype);
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
