package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.LossConfig;
import io.mohge.losses.LossNames;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;
import io.mohge.model.ParamNames;
import io.mohge.model.TemporalConfig;

/**
 * The controller's REINFORCE estimator is unbiased: on models small enough to enumerate every decision vector s
 * (up to 2 layers x 2 sequences x 2 decision positions = 256 vectors), the exact expectation of the engine's gradient,
 * sum_s P(s) g(s), equals the finite-difference derivative (float64) of the exact expected objective
 * E[F] = sum_s P(s) F(s), for the controllers' parameters and, through the joint estimator, for the router, expert,
 * attention and embedding parameters.
 */
class SwitchEstimatorTest {

    private static final int B = 2;
    private static final int V = 11;

    /** @param coordinates how many parameter coordinates to check by finite differences (the full list's prefix) */
    record Case(String name, ModelConfig model, LossConfig losses, int coordinates) {
        @Override
        public String toString() {
            return name;
        }
    }

    // every case enumerates 2^(layers x B x (T - 1)) decision vectors; each coordinate costs two enumerations
    static List<Case> cases() {
        return List.of(
                new Case("mohge 2 layers x 3 positions, LM loss, c = 0.3", controlled(mohge(2, 3), 0.3),
                        new LossConfig(0, 4, 0.5, 0, 0, 0, 1, 0), 4),
                new Case("mohge 1 layer x 3 positions, LM + distillation, c = 0.1", controlled(mohge(1, 3), 0.1),
                        new LossConfig(0, 4, 0.5, 0, 0, 0, 0.5, 1.0), 100),
                new Case("moe top-1 2 layers x 2 positions, distillation only, c = 1", controlled(moe(2, 2), 1.0),
                        new LossConfig(0, 4, 0.5, 0, 0, 0, 0, 1.0), 100));
    }

    private static ModelConfig mohge(int layers, int seqLen) {
        return new ModelConfig(V, 8, layers, 2, seqLen, 10000.0, 1e-6, 0.3, ModelConfig.FfnType.MOHGE,
                new ModelConfig.Dense(12), ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(3, 2, List.of(4, 6, 8), 2, 2, GroupScore.SIGMOID, GateMode.RENORMALISE),
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
    }

    private static ModelConfig moe(int layers, int seqLen) {
        return new ModelConfig(V, 8, layers, 2, seqLen, 10000.0, 1e-6, 0.3, ModelConfig.FfnType.MOE,
                new ModelConfig.Dense(12), new ModelConfig.Moe(4, 6, 1), ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
    }

    private static ModelConfig controlled(ModelConfig m, double cost) {
        return m.withTemporal(new TemporalConfig(true, cost, TemporalConfig.Estimator.REINFORCE, 0.6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void expectedGradientEqualsTheDerivativeOfTheExpectedObjective(Case c) {
        Transformer model = Transformer.create(c.model(), c.losses(), 13, DataType.DOUBLE);
        int t = c.model().seqLen();
        Batch batch = batch(t);
        INDArray teacher = c.losses().hasDistillation() ? teacherLogits(t) : null;
        ParamStore p = model.params();

        double[] expectedGrad = new double[(int) p.size()];
        double[] mass = new double[1];
        double objective = enumerate(model, batch, teacher, (prob, r) -> {
            p.zeroGrads();
            model.forwardBackward(batch, 1.0, 1.0, teacher);
            double[] g = Rows.read(p.grads());
            for (int k = 0; k < g.length; k++) expectedGrad[k] += prob * g[k];
            mass[0] += prob;
        });
        assertEquals(1.0, mass[0], 1e-12, "the decision vectors' probabilities sum to 1");
        assertTrue(Double.isFinite(objective));

        double h = 1e-6;
        double largestController = 0;
        List<Long> coordinates = coordinates(p, c.model().nLayers());
        for (long k : coordinates.subList(0, Math.min(c.coordinates(), coordinates.size()))) {
            double v = Rows.get(p.values(), k);
            Rows.add(p.values(), k, h);
            double up = enumerate(model, batch, teacher, null);
            Rows.add(p.values(), k, -2 * h);
            double down = enumerate(model, batch, teacher, null);
            p.values().putScalar(k, v);
            double fd = (up - down) / (2 * h);
            double est = expectedGrad[(int) k];
            assertEquals(fd, est, 1e-8 + 1e-6 * Math.abs(fd), "coordinate " + k + " (" + nameOf(p, k) + ")");
            if (nameOf(p, k).contains("controller")) largestController = Math.max(largestController, Math.abs(fd));
        }
        assertTrue(largestController > 1e-4, "the controllers really move the objective: " + largestController);
    }

    interface Visit {
        void accept(double prob, Transformer.Result r);
    }

    /** E[F] over every decision vector (forward only), calling {@code visit} with P(s) for each when given. */
    private static double enumerate(Transformer model, Batch batch, INDArray teacher, Visit visit) {
        int layers = model.config().nLayers();
        int T = batch.seqLen();
        List<int[]> slots = new ArrayList<>();                       // (layer, row) of every decision
        for (int i = 0; i < layers; i++) {
            for (int b = 0; b < B; b++) for (int t = 1; t < T; t++) slots.add(new int[] {i, b * T + t});
        }
        double expected = 0;
        for (int bits = 0; bits < 1 << slots.size(); bits++) {
            boolean[][] decisions = new boolean[layers][B * T];
            for (boolean[] d : decisions) for (int b = 0; b < B; b++) d[b * T] = true;
            for (int j = 0; j < slots.size(); j++) decisions[slots.get(j)[0]][slots.get(j)[1]] = (bits >> j & 1) == 1;
            model.switchPolicy(SwitchPolicy.fixed(decisions));
            Transformer.Result r = model.forward(batch, 1.0, teacher);
            double prob = 1;
            for (int[] slot : slots) {
                double beta = r.switchProb()[slot[0]][slot[1]];
                prob *= decisions[slot[0]][slot[1]] ? beta : 1 - beta;
            }
            expected += prob * r.losses().get(LossNames.TOTAL);
            if (visit != null) visit.accept(prob, r);
        }
        return expected;
    }

    /**
     * The controllers' biases, one weight of each, a router weight, then more controller weights and a few
     * coordinates of the rest of the model (experts, attention, embedding, output).
     */
    private static List<Long> coordinates(ParamStore p, int layers) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) out.add(p.entry(ParamNames.controllerBias(i)).offset());
        out.add(p.entry(ParamNames.controllerWeight(0)).offset());
        out.add(p.entry("layers.0.ffn.router.expert.weight").offset() + 5);
        for (int i = 0; i < layers; i++) {
            for (int k = 1; k < 4; k++) out.add(p.entry(ParamNames.controllerWeight(i)).offset() + 2 * k);
        }
        for (String name : List.of("layers." + (layers - 1) + ".ffn.experts.0.w1.weight", "layers.0.attention.wv.weight",
                "tok_embeddings.weight", "output.weight")) {
            out.add(p.entry(name).offset() + 5);
        }
        return out;
    }

    private static String nameOf(ParamStore p, long k) {
        for (String name : p.names()) {
            ParamStore.Entry e = p.entry(name);
            if (k >= e.offset() && k < e.offset() + e.length()) return name;
        }
        return "?";
    }

    private static Batch batch(int T) {
        Random r = new Random(31);
        int[] tokens = new int[B * T];
        int[] targets = new int[B * T];
        double[] mask = new double[B * T];
        for (int i = 0; i < B * T; i++) {
            tokens[i] = r.nextInt(V);
            targets[i] = r.nextInt(V);
            mask[i] = 1;
        }
        mask[2 * T - 1] = 0;                                        // a padded position at the end of sequence 1
        return new Batch(B, T, tokens, targets, mask);
    }

    private static INDArray teacherLogits(int T) {
        Random r = new Random(32);
        double[] v = new double[B * T * V];
        for (int i = 0; i < v.length; i++) v[i] = 2 * r.nextGaussian();
        return Nd4j.createFromArray(v).reshape(B, T, V);
    }
}
