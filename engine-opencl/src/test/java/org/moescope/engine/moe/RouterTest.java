package org.moescope.engine.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RouterTest {

    /** Brute force: softmax in double, experts sorted by (probability desc, index asc), first k. */
    private static Routing bruteForce(float[] logits, int tokens, int experts, int k, boolean norm) {
        int[] ids = new int[tokens * k];
        float[] weights = new float[tokens * k];
        for (int t = 0; t < tokens; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < experts; e++) {
                max = Math.max(max, logits[t * experts + e]);
            }
            double[] p = new double[experts];
            double sum = 0;
            for (int e = 0; e < experts; e++) {
                p[e] = Math.exp(logits[t * experts + e] - max);
                sum += p[e];
            }
            for (int e = 0; e < experts; e++) {
                p[e] /= sum;
            }
            Integer[] order = new Integer[experts];
            for (int e = 0; e < experts; e++) {
                order[e] = e;
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(e -> -p[e]).thenComparingInt(e -> e));
            double kept = 0;
            for (int s = 0; s < k; s++) {
                kept += p[order[s]];
            }
            for (int s = 0; s < k; s++) {
                ids[t * k + s] = order[s];
                weights[t * k + s] = (float) (norm ? p[order[s]] / kept : p[order[s]]);
            }
        }
        return new Routing(tokens, k, ids, weights);
    }

    private static float[] randomLogits(int n, long seed) {
        Random r = new Random(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    private static void assertRoutingEquals(Routing expected, Routing actual) {
        assertArrayEquals(expected.ids(), actual.ids(), "ids");
        assertArrayEquals(expected.weights(), actual.weights(), 1e-6f, "weights");
    }

    @Test
    void topKMatchesBruteForceSortWithAndWithoutNorm() {
        int tokens = 37;
        int experts = 16;
        float[] logits = randomLogits(tokens * experts, 1);
        for (int k : new int[] {1, 2, 4, 8}) {
            for (boolean norm : new boolean[] {false, true}) {
                assertRoutingEquals(bruteForce(logits, tokens, experts, k, norm),
                        Router.route(logits, tokens, experts, k, norm));
            }
        }
    }

    @Test
    void normalisedWeightsSumToOneAndUnnormalisedAreProbabilities() {
        float[] logits = randomLogits(5 * 8, 2);
        Routing norm = Router.route(logits, 5, 8, 3, true);
        Routing raw = Router.route(logits, 5, 8, 3, false);
        float[] probs = Router.probabilities(logits, 5, 8);
        for (int t = 0; t < 5; t++) {
            float sum = 0;
            for (int s = 0; s < 3; s++) {
                sum += norm.weights()[t * 3 + s];
                assertEquals(probs[t * 8 + raw.ids()[t * 3 + s]], raw.weights()[t * 3 + s], 0f);
            }
            assertEquals(1f, sum, 1e-6f);
        }
    }

    @Test
    void exactTiesGoToTheLowerExpertIndex() {
        // token 0: experts 5, 2 and 7 tie for the top; token 1: all equal
        float[] logits = {
            0f, 1f, 3f, -1f, 0.5f, 3f, 0f, 3f,
            2f, 2f, 2f, 2f, 2f, 2f, 2f, 2f,
        };
        Routing r = Router.route(logits, 2, 8, 4, true);
        assertArrayEquals(new int[] {2, 5, 7, 1, 0, 1, 2, 3}, r.ids());
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, Arrays.copyOfRange(r.weights(), 4, 8), 1e-7f);
        assertEquals(r.weights()[0], r.weights()[1], 0f);
        assertEquals(r.weights()[1], r.weights()[2], 0f);
        assertTrue(r.weights()[2] > r.weights()[3]);
        assertRoutingEquals(bruteForce(logits, 2, 8, 4, true), r);
    }

    @Test
    void kEqualToExpertsSelectsEveryExpertInDescendingOrder() {
        float[] logits = {0.1f, -2f, 4f, 1f, 0.1f, 3f};
        Routing r = Router.route(logits, 1, 6, 6, false);
        assertArrayEquals(new int[] {2, 5, 3, 0, 4, 1}, r.ids());
        float sum = 0;
        for (float w : r.weights()) {
            sum += w;
        }
        assertEquals(1f, sum, 1e-6f);
        Routing normed = Router.route(logits, 1, 6, 6, true);
        assertArrayEquals(r.ids(), normed.ids());
        assertArrayEquals(r.weights(), normed.weights(), 1e-6f);
    }

    @Test
    void singleTokenAndLargeLogitsStayFinite() {
        float[] logits = {1000f, 999f, -1000f, 0f};
        Routing r = Router.route(logits, 1, 4, 2, false);
        assertArrayEquals(new int[] {0, 1}, r.ids());
        double e1 = Math.exp(-1);
        double z = 1 + e1 + Math.exp(-1000) + Math.exp(-1000);
        assertEquals(1 / z, r.weights()[0], 1e-6);
        assertEquals(e1 / z, r.weights()[1], 1e-6);
    }

    @Test
    void probabilitiesAreTheRowSoftmax() {
        float[] logits = randomLogits(3 * 5, 3);
        float[] probs = Router.probabilities(logits, 3, 5);
        Routing all = bruteForce(logits, 3, 5, 5, false);
        for (int t = 0; t < 3; t++) {
            for (int s = 0; s < 5; s++) {
                assertEquals(all.weights()[t * 5 + s], probs[t * 5 + all.ids()[t * 5 + s]], 1e-6f);
            }
        }
    }

    @Test
    void badArgumentsNameTheParameter() {
        float[] logits = new float[8];
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Router.route(logits, 2, 4, 5, true))
                .getMessage().startsWith("k "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Router.route(logits, 2, 4, 0, true))
                .getMessage().startsWith("k "));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Router.route(logits, 3, 4, 2, true))
                .getMessage().startsWith("logits"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Router.probabilities(logits, 0, 4))
                .getMessage().startsWith("tokens"));
    }
}
