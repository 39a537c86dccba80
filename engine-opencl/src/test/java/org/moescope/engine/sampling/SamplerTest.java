package org.moescope.engine.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplerTest {

    @Test
    void greedyTakesTheMaximumAndTheLowerIdOnTies() {
        Sampler greedy = new Sampler(0, 1, 1);
        assertEquals(2, greedy.sample(new float[] {0, 1, 5, 5, -1}, 0, 5));
        assertEquals(1, greedy.sample(new float[] {9, 0, 5, 9, 2}, 2, 3), "offset: the row [5, 9, 2]");
        assertEquals(0, Sampler.argmax(new float[] {Float.NaN, 1, 1}, 1, 2));
    }

    @Test
    void samplingFollowsTheSoftmaxAndIsReproducible() {
        float[] logits = {0, (float) Math.log(3), -50};
        Sampler a = new Sampler(1, 1, 42);
        Sampler b = new Sampler(1, 1, 42);
        int n = 20000;
        int[] counts = new int[3];
        int[] first = new int[50];
        int[] second = new int[50];
        for (int i = 0; i < n; i++) {
            int t = a.sample(logits, 0, 3);
            counts[t]++;
            if (i < 50) {
                first[i] = t;
                second[i] = b.sample(logits, 0, 3);
            }
        }
        assertArrayEquals(first, second, "same seed, same tokens");
        // p = [0.25, 0.75, ~0]; with 20000 draws the standard error is 0.003
        assertEquals(0.75, counts[1] / (double) n, 0.015);
        assertEquals(0, counts[2]);
    }

    @Test
    void temperatureSharpensAndTopPCutsTheTail() {
        float[] logits = {0, (float) Math.log(3)};
        Sampler cold = new Sampler(0.25f, 1, 7); // p1 = 3^4 / (1 + 3^4) = 0.988
        int ones = 0;
        for (int i = 0; i < 10000; i++) {
            ones += cold.sample(logits, 0, 2);
        }
        assertEquals(0.988, ones / 10000.0, 0.01);
        Sampler nucleus = new Sampler(1, 0.7f, 7); // the top token alone holds 0.75 >= 0.7
        for (int i = 0; i < 1000; i++) {
            assertEquals(1, nucleus.sample(logits, 0, 2));
        }
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Sampler(-1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(1, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(1, 1.5f, 0));
    }
}
