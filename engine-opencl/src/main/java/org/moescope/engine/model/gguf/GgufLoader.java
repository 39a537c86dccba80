package org.moescope.engine.model.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.moescope.engine.backend.Backend;
import org.moescope.engine.backend.DType;
import org.moescope.engine.backend.DeviceBuffer;
import org.moescope.engine.backend.EngineException;
import org.moescope.engine.model.LoadProgress;
import org.moescope.engine.model.ModelConfig;
import org.moescope.engine.model.ModelWeights;
import org.moescope.engine.model.WeightAllocation;
import org.moescope.engine.model.WeightLayout;
import org.moescope.engine.model.WeightSpec;

/**
 * Loads a GGUF file's weights onto a backend: each buffer of the {@link WeightLayout} from the llama.cpp tensor of
 * the same role, in that tensor's own type (a quantized tensor's blocks are uploaded as stored, never converted).
 * Names, shapes and types are all checked before anything is allocated.
 *
 * <p>Where the device shares host memory (an OpenCL CPU device) each weight is read in place from the mapped file
 * ({@link Backend#wrapReadOnly}): no second copy, and no charge against the device's global-memory figure. Elsewhere
 * the bytes are uploaded, one mapped region at a time.
 *
 * <p>GGUF dims are innermost first, so a tensor with ne = [hidden, inter, experts] is the row-major
 * {@code [E, inter, hidden]} stack the layout wants, byte for byte.
 */
public final class GgufLoader {

    /** How many names an error lists before "... and N more". */
    private static final int LISTED = 8;

    private GgufLoader() {
    }

    public static ModelWeights load(GgufFile file, ModelConfig config, Backend backend, LoadProgress progress) {
        checkCounts(file, config);
        List<WeightSpec> specs = WeightLayout.of(config);
        Map<String, GgufTensor> sources = validate(file, config, specs);
        boolean inPlace = backend.sharesHostMemory();
        return WeightAllocation.build(backend, config, specs, s -> sources.get(s.key()).dtype(),
                s -> inPlace && mappable(sources.get(s.key())), (index, spec, dtype) -> {
                    GgufTensor t = sources.get(spec.key());
                    if (inPlace && mappable(t)) {
                        return backend.wrapReadOnly(spec.key(), dtype, spec.elements(), file.bytes(t, 0, (int) t.bytes()));
                    }
                    DeviceBuffer buffer = backend.allocate(spec.key(), dtype, spec.elements());
                    try {
                        file.upload(t, backend, buffer, 0);
                        return buffer;
                    } catch (RuntimeException | Error e) {
                        buffer.close();
                        throw e;
                    }
                }, progress);
    }

    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d{1,9})\\.");

    /**
     * block_count and expert_count against the tensors the file has, before the layout names a buffer (and an expert)
     * for each: a corrupt count is refused in one sentence instead of a layout of billions of names.
     */
    static void checkCounts(GgufFile file, ModelConfig config) {
        long blocks = 0;
        long experts = 0;
        for (GgufTensor t : file.tensors().values()) {
            Matcher m = BLOCK.matcher(t.name());
            if (m.find()) {
                blocks = Math.max(blocks, Long.parseLong(m.group(1)) + 1);
            }
            if (t.name().endsWith("_exps.weight") && t.ne().length >= 3) {
                experts = Math.max(experts, t.ne()[2]); // ggml order: [in, out, experts]
            }
        }
        if (config.numHiddenLayers() > blocks) {
            throw new EngineException(file.path() + ": block_count is " + config.numHiddenLayers() + " but the file "
                    + "has tensors of " + blocks + " block(s)");
        }
        if (config.hasMoeLayers() && config.numExperts() > experts) {
            throw new EngineException(file.path() + ": expert_count is " + config.numExperts() + " but the file's "
                    + "expert tensors hold " + experts);
        }
    }

    /** A tensor the device can read in place: one mapping holds it. */
    private static boolean mappable(GgufTensor t) {
        return t.bytes() > 0 && t.bytes() <= GgufFile.MAX_REGION_BYTES;
    }

    /** The llama.cpp tensor name that fills the layout buffer {@code key}. */
    public static String tensorName(String key) {
        String global = switch (key) {
            case "model.embed_tokens.weight" -> "token_embd.weight";
            case "model.norm.weight" -> "output_norm.weight";
            case "lm_head.weight" -> "output.weight";
            default -> null;
        };
        if (global != null) {
            return global;
        }
        String prefix = "model.layers.";
        if (!key.startsWith(prefix)) {
            throw new IllegalArgumentException("no GGUF name for weight " + key);
        }
        int dot = key.indexOf('.', prefix.length());
        String layer = key.substring(prefix.length(), dot);
        String role = switch (key.substring(dot + 1)) {
            case "input_layernorm.weight" -> "attn_norm";
            case "self_attn.q_proj.weight" -> "attn_q";
            case "self_attn.k_proj.weight" -> "attn_k";
            case "self_attn.v_proj.weight" -> "attn_v";
            case "self_attn.o_proj.weight" -> "attn_output";
            case "self_attn.q_norm.weight" -> "attn_q_norm";
            case "self_attn.k_norm.weight" -> "attn_k_norm";
            case "post_attention_layernorm.weight" -> "ffn_norm";
            case "mlp.gate.weight" -> "ffn_gate_inp";
            case "mlp.experts.gate_proj" -> "ffn_gate_exps";
            case "mlp.experts.up_proj" -> "ffn_up_exps";
            case "mlp.experts.down_proj" -> "ffn_down_exps";
            case "mlp.gate_proj.weight" -> "ffn_gate";
            case "mlp.up_proj.weight" -> "ffn_up";
            case "mlp.down_proj.weight" -> "ffn_down";
            default -> throw new IllegalArgumentException("no GGUF name for weight " + key);
        };
        return "blk." + layer + "." + role + ".weight";
    }

    /** Checks that the file holds exactly the tensors the config needs, in their shapes; returns them by buffer key. */
    static Map<String, GgufTensor> validate(GgufFile file, ModelConfig config, List<WeightSpec> specs) {
        Map<String, GgufTensor> tensors = file.tensors();
        Map<String, GgufTensor> sources = new LinkedHashMap<>();
        Map<String, WeightSpec> expected = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (WeightSpec spec : specs) {
            String name = tensorName(spec.key());
            expected.put(name, spec);
            GgufTensor t = tensors.get(name);
            if (t == null) {
                missing.add(name);
            } else {
                sources.put(spec.key(), t);
            }
        }
        String where = file.path() + ": ";
        if (!missing.isEmpty()) {
            throw new EngineException(where + "the GGUF file is missing " + missing.size()
                    + " tensor(s) the model needs: " + list(missing));
        }
        TreeSet<String> unexpected = new TreeSet<>(tensors.keySet());
        unexpected.removeAll(expected.keySet());
        if (!unexpected.isEmpty()) {
            throw new EngineException(where + "the GGUF file has " + unexpected.size()
                    + " tensor(s) a qwen3moe model of " + config.numHiddenLayers() + " layers and "
                    + config.numExperts() + " experts does not have: " + list(new ArrayList<>(unexpected)));
        }
        for (Map.Entry<String, WeightSpec> e : expected.entrySet()) {
            GgufTensor t = tensors.get(e.getKey());
            WeightSpec spec = e.getValue();
            if (!Arrays.equals(t.shape(), spec.shape())) {
                throw new EngineException(where + "tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                        + " (ne " + Arrays.toString(t.ne()) + "), but the metadata makes it " + Arrays.toString(spec.shape()));
            }
            if (spec.isNorm() && t.dtype().isQuantized()) {
                throw new EngineException(where + "norm weight '" + t.name() + "' is " + t.dtype()
                        + "; norm weights must be F32, F16 or BF16");
            }
        }
        checkGateAndUpTypes(where, sources);
        return sources;
    }

    /** The fused gate+up kernel reads a layer's gate and up stacks with one weight type. */
    private static void checkGateAndUpTypes(String where, Map<String, GgufTensor> sources) {
        Map<String, DType> gates = new HashMap<>();
        for (Map.Entry<String, GgufTensor> e : sources.entrySet()) {
            if (e.getKey().endsWith(".mlp.experts.gate_proj")) {
                gates.put(e.getKey(), e.getValue().dtype());
            }
        }
        for (Map.Entry<String, DType> g : gates.entrySet()) {
            GgufTensor up = sources.get(g.getKey().replace(".gate_proj", ".up_proj"));
            if (up != null && up.dtype() != g.getValue()) {
                throw new EngineException(where + "'" + tensorName(g.getKey()) + "' is " + g.getValue() + " but '"
                        + up.name() + "' is " + up.dtype() + ": MoEScope's fused gate+up kernel needs a layer's gate and "
                        + "up experts in one type");
            }
        }
    }

    private static String list(List<String> names) {
        List<String> shown = names.subList(0, Math.min(LISTED, names.size()));
        String more = names.size() > LISTED ? " ... and " + (names.size() - LISTED) + " more" : "";
        return String.join(", ", shown) + more;
    }
}
