package io.mohge.train;

import io.mohge.config.TrainerConfig;
import io.mohge.engine.Kernels;
import io.mohge.engine.ParamStore;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdamWTest {

    /** A decayed matrix w [2, 2] = [[0.5, -1], [2, 0]] and a norm gain [2] = [1, 0.5], flat in that order. */
    private static ModelState model() {
        ParamStore store = new ParamStore.Builder().matrix("w", 2, 2).gain("norm.gain", 2).build(DataType.FLOAT, 1, 0.1);
        store.values().assign(Nd4j.createFromArray(0.5f, -1.0f, 2.0f, 0.0f, 1.0f, 0.5f));
        return new ModelState(store);
    }

    private static INDArray grads(float... g) {
        return Nd4j.createFromArray(g);
    }

    private static AdamW adam(ModelState m, double b1, double b2, double eps, double wd) {
        TrainerConfig base = TrainerConfig.DEFAULTS;
        TrainerConfig c = new TrainerConfig(base.steps(), base.batchSize(), base.gradAccum(), base.lr(), base.minLr(),
                base.warmupSteps(), wd, b1, b2, eps, base.clipNorm(), base.logEvery(), base.evalEvery(),
                base.evalBatches(), base.checkpointEvery(), base.keepCheckpoints());
        return new AdamW(c, m, Kernels.forType(DataType.FLOAT));
    }

    private static float[] values(ModelState m) {
        return m.store().values().data().asFloat();
    }

    @Test
    void firstStepMatchesHandComputation() {
        // lr 0.1, wd 0.1, b1 0.9, b2 0.95, eps 1e-8. At t = 1 the bias-corrected moments are g and g^2, so
        // p1 = p0 * (1 - 0.01) - 0.1 * g / (|g| + 1e-8)
        ModelState m = model();
        AdamW opt = adam(m, 0.9, 0.95, 1e-8, 0.1);
        opt.update(grads(0.2f, -0.4f, 1e-3f, 0f, 0.3f, -0.1f), 0.1);
        float[] p = values(m);
        assertEquals(0.395000005, p[0], 2e-7);     // 0.5 * 0.99 - 0.1 * 0.2 / (0.2 + 1e-8)
        assertEquals(-0.8900000025, p[1], 2e-7);   // -1 * 0.99 + 0.1 * 0.4 / (0.4 + 1e-8)
        assertEquals(1.8800009999, p[2], 1e-6);    // 2 * 0.99 - 0.1 * 1e-3 / (1e-3 + 1e-8)
        assertEquals(0.0, p[3], 0.0);              // zero gradient, zero parameter
        assertEquals(0.9000000033, p[4], 2e-7);    // gain: no decay, 1 - 0.1 * 0.3 / (0.3 + 1e-8)
        assertEquals(0.59999999, p[5], 2e-7);
        assertEquals(1, opt.step());
    }

    @Test
    void severalStepsMatchAScalarReference() {
        double lr = 0.05, wd = 0.2, b1 = 0.9, b2 = 0.95, eps = 1e-6;
        ModelState model = model();
        AdamW opt = adam(model, b1, b2, eps, wd);
        float[][] gs = {{0.2f, -0.4f, 1e-3f, 0.5f, 0.3f, -0.1f}, {-0.4f, 0.1f, 2f, -0.5f, 0.1f, 0.1f},
                {0.05f, 0.05f, -1f, 0.25f, -0.2f, 0.4f}};
        double[] ref = {0.5, -1.0, 2.0, 0.0, 1.0, 0.5}; // w row-major, then gain
        double[] m = new double[6];
        double[] v = new double[6];
        for (int t = 1; t <= gs.length; t++) {
            float[] g = gs[t - 1];
            opt.update(grads(g), lr);
            for (int i = 0; i < 6; i++) {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mhat = m[i] / (1 - Math.pow(b1, t));
                double vhat = v[i] / (1 - Math.pow(b2, t));
                if (i < 4) ref[i] *= 1 - lr * wd;
                ref[i] -= lr * mhat / (Math.sqrt(vhat) + eps);
            }
        }
        float[] p = values(model);
        for (int i = 0; i < 6; i++) assertEquals(ref[i], p[i], 1e-6, "p[" + i + "]");
    }

    @Test
    void normGainsGetNoDecayWithZeroGradient() {
        ModelState m = model();
        adam(m, 0.9, 0.95, 1e-8, 0.5).update(grads(0, 0, 0, 0, 0, 0), 0.1);
        assertArrayEquals(new float[]{0.475f, -0.95f, 1.9f, 0f, 1.0f, 0.5f}, values(m), 1e-7f);
    }

    @Test
    void savedStateContinuesBitIdentically() {
        ModelState a = model();
        AdamW optA = adam(a, 0.9, 0.95, 1e-8, 0.1);
        optA.update(grads(0.2f, -0.4f, 1e-3f, 0.5f, 0.3f, -0.1f), 0.1);
        AdamW.State saved = optA.state();
        assertEquals(java.util.Set.of("w", "norm.gain"), saved.m().keySet());
        ModelState b = model();
        b.store().values().assign(a.store().values());
        optA.update(grads(-0.1f, 0.7f, 0.3f, -2f, 0.3f, 0.9f), 0.07);

        AdamW optB = adam(b, 0.9, 0.95, 1e-8, 0.1);
        optB.load(saved);
        assertEquals(1, optB.step());
        optB.update(grads(-0.1f, 0.7f, 0.3f, -2f, 0.3f, 0.9f), 0.07);
        assertArrayEquals(values(a), values(b), 0f);
    }

    /** w [2, 2], then layer 0's switch controller: weight [2, 1] and bias [1]. */
    private static ModelState withController() {
        ParamStore store = new ParamStore.Builder().matrix("w", 2, 2)
                .matrix(io.mohge.model.ParamNames.controllerWeight(0), 2, 1)
                .bias(io.mohge.model.ParamNames.controllerBias(0), 1, 0.0).build(DataType.FLOAT, 1, 0.1);
        store.values().assign(Nd4j.createFromArray(0.5f, -1.0f, 2.0f, 0.0f, 0.3f, -0.2f, 1.5f));
        return new ModelState(store);
    }

    private static AdamW adam(ModelState m, double controllerLr) {
        TrainerConfig d = TrainerConfig.DEFAULTS;
        TrainerConfig c = new TrainerConfig(d.steps(), d.batchSize(), d.gradAccum(), 0.01, d.minLr(), d.warmupSteps(),
                0.1, 0.9, 0.95, 1e-8, d.clipNorm(), d.logEvery(), d.evalEvery(), d.evalBatches(), d.checkpointEvery(),
                d.keepCheckpoints(), "", java.util.List.of("all"), controllerLr);
        return new AdamW(c, m, Kernels.forType(DataType.FLOAT));
    }

    @Test
    void controllersTakeTheirOwnLearningRate() {
        // controller_lr = 0.1 = 10 x lr: the controller's values move as under an optimizer at 10x the rate, the rest
        // as under the plain rate, step after step (moments included)
        ModelState own = withController(), plain = withController(), fast = withController();
        AdamW optOwn = adam(own, 0.1), optPlain = adam(plain, 0), optFast = adam(fast, 0);
        float[][] g = {{0.2f, -0.4f, 1e-3f, 0.5f, 0.3f, -0.1f, 0.8f}, {-0.1f, 0.7f, 0.3f, -2f, 0.3f, 0.9f, -0.4f}};
        for (int step = 0; step < g.length; step++) {
            double lr = step == 0 ? 0.01 : 0.005;           // the schedule's lr; the controllers get 10x of it
            optOwn.update(grads(g[step]), lr);
            optPlain.update(grads(g[step]), lr);
            optFast.update(grads(g[step]), 10 * lr);
        }
        float[] o = values(own), p = values(plain), f = values(fast);
        assertArrayEquals(java.util.Arrays.copyOfRange(p, 0, 4), java.util.Arrays.copyOfRange(o, 0, 4), 0f);
        assertArrayEquals(java.util.Arrays.copyOfRange(f, 4, 7), java.util.Arrays.copyOfRange(o, 4, 7), 0f);
        assertTrue(Math.abs(f[6] - p[6]) > 0.01, "the rates must differ visibly: " + f[6] + " vs " + p[6]);
    }

    @Test
    void mismatchedGradientsAreRejected() {
        AdamW opt = adam(model(), 0.9, 0.95, 1e-8, 0.1);
        var e = assertThrows(IllegalArgumentException.class, () -> opt.update(grads(0, 0, 0), 0.1));
        assertTrue(e.getMessage().contains("3 gradient values for 6 parameters"), e.getMessage());
    }
}
