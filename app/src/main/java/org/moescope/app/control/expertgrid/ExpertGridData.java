package org.moescope.app.control.expertgrid;

import java.util.Arrays;

/**
 * What an {@link ExpertGrid} shows: for one token, the routing weight each expert got at each MoE layer (0 for the
 * experts not chosen). Immutable.
 *
 * @param title    what the grid is of, e.g. "token 'lady' (pos 5), step 3"
 * @param layers   decoder-layer numbers of the MoE layers, one block each
 * @param experts  experts per layer
 * @param weights  {@code [layers.length][experts]} routing weights, 0 where not chosen; a row of a layer that was not
 *                 captured is all 0
 */
public record ExpertGridData(String title, int[] layers, int experts, float[][] weights) {

    public static final ExpertGridData EMPTY = new ExpertGridData("", new int[0], 0, new float[0][]);

    public ExpertGridData {
        layers = layers.clone();
        if (weights.length != layers.length) {
            throw new IllegalArgumentException("weights must hold one row per layer (" + layers.length + "), got " + weights.length);
        }
        float[][] copy = new float[weights.length][];
        for (int l = 0; l < weights.length; l++) {
            if (weights[l].length != experts) {
                throw new IllegalArgumentException("weights of layer " + layers[l] + " must hold " + experts + " values, got " + weights[l].length);
            }
            copy[l] = weights[l].clone();
        }
        weights = copy;
    }

    public boolean isEmpty() {
        return layers.length == 0 || experts == 0;
    }

    @Override
    public int[] layers() {
        return layers.clone();
    }

    /** The weight of {@code expert} at layer block {@code layerIndex} (0 when not chosen). */
    public float weight(int layerIndex, int expert) {
        return weights[layerIndex][expert];
    }

    /** Whether the expert was chosen at that layer. */
    public boolean lit(int layerIndex, int expert) {
        return weights[layerIndex][expert] > 0;
    }

    /** The chosen experts at layer block {@code layerIndex}, ascending. */
    public int[] litExperts(int layerIndex) {
        return java.util.stream.IntStream.range(0, experts).filter(e -> lit(layerIndex, e)).toArray();
    }

    /** The largest weight anywhere in the grid (0 when nothing is lit). */
    public float maxWeight() {
        float max = 0;
        for (float[] row : weights) {
            for (float w : row) {
                max = Math.max(max, w);
            }
        }
        return max;
    }

    @Override
    public float[][] weights() {
        float[][] copy = new float[weights.length][];
        for (int l = 0; l < weights.length; l++) {
            copy[l] = weights[l].clone();
        }
        return copy;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExpertGridData d && d.title.equals(title) && d.experts == experts
                && Arrays.equals(d.layers, layers) && Arrays.deepEquals(d.weights, weights);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(layers) * 31 + Arrays.deepHashCode(weights);
    }

    @Override
    public String toString() {
        return "ExpertGridData[" + title + ", " + layers.length + " layers x " + experts + " experts]";
    }
}
