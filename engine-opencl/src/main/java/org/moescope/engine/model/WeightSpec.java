package org.moescope.engine.model;

import java.util.Arrays;
import java.util.List;

/**
 * One device buffer of a model and the checkpoint tensors that fill it.
 *
 * @param key      the buffer's name: the Hugging Face tensor name, or for stacked experts
 *                 {@code model.layers.L.mlp.experts.{gate,up,down}_proj}
 * @param shape    the buffer's logical shape, e.g. {@code [E, inter, hidden]} for stacked experts
 * @param parts    checkpoint tensor names, in order; each holds {@code elements / parts.size()} consecutive elements
 *                 with shape {@link #partShape()}
 * @param fanIn    the input width of a weight matrix (synthetic init scale 1/sqrt(fanIn)); 0 for a norm weight (ones)
 * @param layer    decoder layer, or -1 for embedding / final norm / lm_head
 * @param group    what progress reports call it: "attention", "experts", "router", "mlp", "norms", "embedding", ...
 */
public record WeightSpec(String key, long[] shape, List<String> parts, int fanIn, int layer, String group) {

    public WeightSpec {
        parts = List.copyOf(parts);
        shape = shape.clone();
    }

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Shape of each checkpoint part: the whole shape, or the shape without the leading expert dimension. */
    public long[] partShape() {
        return parts.size() == 1 ? shape.clone() : Arrays.copyOfRange(shape, 1, shape.length);
    }

    public boolean isNorm() {
        return fanIn == 0;
    }
}
