package io.mohge.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdamWTest {

    private static Map<String, INDArray> params() {
        Map<String, INDArray> p = new TreeMap<>();
        p.put("w", Nd4j.createFromArray(new float[][]{{0.5f, -1.0f}, {2.0f, 0.0f}}));
        p.put("norm.gain", Nd4j.createFromArray(new float[]{1.0f, 0.5f}));
        return p;
    }

    private static Map<String, INDArray> grads(float a, float b, float c, float d, float e, float f) {
        Map<String, INDArray> g = new TreeMap<>();
        g.put("w", Nd4j.createFromArray(new float[][]{{a, b}, {c, d}}));
        g.put("norm.gain", Nd4j.createFromArray(new float[]{e, f}));
        return g;
    }

    @Test
    void firstStepMatchesHandComputation() {
        // lr 0.1, wd 0.1, b1 0.9, b2 0.95, eps 1e-8. At t = 1 the bias-corrected moments are g and g^2, so
        // p1 = p0 * (1 - 0.01) - 0.1 * g / (|g| + 1e-8)
        Map<String, INDArray> p = params();
        AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.1, Set.of("norm.gain"));
        opt.update(p, grads(0.2f, -0.4f, 1e-3f, 0f, 0.3f, -0.1f), 0.1);
        // w[0][0]: 0.5 * 0.99 - 0.1 * 0.2 / (0.2 + 1e-8) = 0.395000005
        assertEquals(0.395000005, p.get("w").getDouble(0, 0), 2e-7);
        // w[0][1]: -1 * 0.99 + 0.1 * 0.4 / (0.4 + 1e-8) = -0.8900000025
        assertEquals(-0.8900000025, p.get("w").getDouble(0, 1), 2e-7);
        // w[1][0]: 2 * 0.99 - 0.1 * 1e-3 / (1e-3 + 1e-8) = 1.880001
        assertEquals(1.8800009999, p.get("w").getDouble(1, 0), 1e-6);
        // w[1][1]: zero gradient, zero parameter: stays 0
        assertEquals(0.0, p.get("w").getDouble(1, 1), 0.0);
        // excluded from decay: gain[0] = 1 - 0.1 * 0.3 / (0.3 + 1e-8) = 0.9000000033, no factor 0.99
        assertEquals(0.9000000033, p.get("norm.gain").getDouble(0), 2e-7);
        assertEquals(0.59999999, p.get("norm.gain").getDouble(1), 2e-7);
        assertEquals(1, opt.step());
    }

    @Test
    void severalStepsMatchAScalarReference() {
        double lr = 0.05, wd = 0.2, b1 = 0.9, b2 = 0.95, eps = 1e-6;
        Map<String, INDArray> p = params();
        AdamW opt = new AdamW(b1, b2, eps, wd, Set.of("norm.gain"));
        float[][] gs = {{0.2f, -0.4f, 1e-3f, 0.5f, 0.3f, -0.1f}, {-0.4f, 0.1f, 2f, -0.5f, 0.1f, 0.1f},
                {0.05f, 0.05f, -1f, 0.25f, -0.2f, 0.4f}};
        double[] ref = {0.5, -1.0, 2.0, 0.0, 1.0, 0.5}; // w row-major, then gain
        double[] m = new double[6];
        double[] v = new double[6];
        for (int t = 1; t <= gs.length; t++) {
            float[] g = gs[t - 1];
            opt.update(p, grads(g[0], g[1], g[2], g[3], g[4], g[5]), lr);
            for (int i = 0; i < 6; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mhat = m[i] / (1 - Math.pow(b1, t));
                double vhat = v[i] / (1 - Math.pow(b2, t));
                if (i < 4) ref[i] *= 1 - lr * wd;
                ref[i] -= lr * mhat / (Math.sqrt(vhat) + eps);
            }
        }
        float[] w = p.get("w").dup('c').data().asFloat();
        float[] gain = p.get("norm.gain").data().asFloat();
        for (int i = 0; i < 4; i++) assertEquals(ref[i], w[i], 1e-6, "w[" + i + "]");
        for (int i = 0; i < 2; i++) assertEquals(ref[4 + i], gain[i], 1e-6, "gain[" + i + "]");
    }

    @Test
    void excludedParametersGetNoDecayWithZeroGradient() {
        Map<String, INDArray> p = params();
        AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.5, Set.of("norm.gain"));
        opt.update(p, grads(0, 0, 0, 0, 0, 0), 0.1);
        assertArrayEquals(new float[]{1.0f, 0.5f}, p.get("norm.gain").data().asFloat(), 0f);
        assertArrayEquals(new float[]{0.475f, -0.95f, 1.9f, 0f}, p.get("w").dup('c').data().asFloat(), 1e-7f);
    }

    @Test
    void savedStateContinuesBitIdentically() {
        Map<String, INDArray> a = params();
        AdamW optA = new AdamW(0.9, 0.95, 1e-8, 0.1, Set.of());
        optA.update(a, grads(0.2f, -0.4f, 1e-3f, 0.5f, 0.3f, -0.1f), 0.1);
        AdamW.State saved = optA.state();
        Map<String, INDArray> b = new TreeMap<>();
        a.forEach((k, x) -> b.put(k, x.dup()));
        optA.update(a, grads(-0.1f, 0.7f, 0.3f, -2f, 0.3f, 0.9f), 0.07);

        AdamW optB = new AdamW(0.9, 0.95, 1e-8, 0.1, Set.of());
        optB.load(saved);
        assertEquals(1, optB.step());
        optB.update(b, grads(-0.1f, 0.7f, 0.3f, -2f, 0.3f, 0.9f), 0.07);
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).dup('c').data().asFloat(), b.get(k).dup('c').data().asFloat(), 0f, k);
        }
    }

    @Test
    void mismatchedGradientsAreRejected() {
        Map<String, INDArray> p = params();
        AdamW opt = new AdamW(0.9, 0.95, 1e-8, 0.1, Set.of());
        Map<String, INDArray> g = grads(0, 0, 0, 0, 0, 0);
        g.remove("w");
        var e = assertThrows(IllegalArgumentException.class, () -> opt.update(p, g, 0.1));
        assertEquals(true, e.getMessage().contains("[w]"), e.getMessage());
    }
}
