package io.mohge.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Every loss term against its plain-Java oracle, hand-computed values and finite differences (double). */
class LossesTest {

    private static final List<Integer> REFERENCE_WIDTHS = List.of(384, 512, 640, 768, 896, 1024, 1152, 1280);

    private final Random random = new Random(42);

    // ---------------------------------------------------------------- hand-computed values

    @Test
    void costWeightsOfReferenceWidths() {
        double[] c = RouterLosses.costWeights(REFERENCE_WIDTHS, 1024);
        assertArrayEquals(new double[] {1.0, 1.125, 1.25, 1.375, 1.5, 1.625, 1.75, 1.875}, c, 1e-15);
        assertArrayEquals(c, LossReference.costWeights(new int[] {384, 512, 640, 768, 896, 1024, 1152, 1280}, 1024),
                1e-15);
    }

    @Test
    void groupAuxUnderUniformRoutingIsBetaTimesMeanCost() {
        // G = 8, K_g = 4: equal group logits (softmax 1/8); token 0 picks groups 0..3, token 1 picks 4..7.
        double beta = 1e-5;
        double[][] logits = new double[2][8];
        double[][] selected = new double[2][8];
        for (int g = 0; g < 8; g++) selected[g < 4 ? 0 : 1][g] = 1;
        double[] c = RouterLosses.costWeights(REFERENCE_WIDTHS, 1024);
        double sd = evalScalar(s -> AuxLosses.groupAux(s, var(s, "a", logits), var(s, "sel", selected), c, 4, beta));
        assertEquals(1.4375 * beta, sd, 1e-18);
        assertEquals(1.4375 * beta, LossReference.groupAux(logits, selected, c, 4, beta), 1e-18);
    }

    @Test
    void groupAuxPenalisesWideGroupsMoreThanNarrowOnes() {
        double[] c = RouterLosses.costWeights(REFERENCE_WIDTHS, 1024);
        // two tokens (reductions over a size-1 token axis fail in ND4J M2.1), both on the 4 narrow / 4 wide groups
        double[][] narrow = new double[2][8];
        double[][] wide = new double[2][8];
        for (int g = 0; g < 4; g++) {
            narrow[0][g] = narrow[1][g] = 1;
            wide[0][7 - g] = wide[1][7 - g] = 1;
        }
        double[][] narrowLogits = {{3, 3, 3, 3, 0, 0, 0, 0}, {3, 3, 3, 3, 0, 0, 0, 0}};
        double[][] wideLogits = {{0, 0, 0, 0, 3, 3, 3, 3}, {0, 0, 0, 0, 3, 3, 3, 3}};
        double lNarrow = evalScalar(s -> AuxLosses.groupAux(s, var(s, "a", narrowLogits), var(s, "sel", narrow), c, 4, 1));
        double lWide = evalScalar(s -> AuxLosses.groupAux(s, var(s, "a", wideLogits), var(s, "sel", wide), c, 4, 1));
        assertTrue(lWide > lNarrow * 1.3, "wide " + lWide + " narrow " + lNarrow);
    }

    @Test
    void intraAuxAtPerfectBalanceIsHalfAlphaForReferenceConfig() {
        // G = 8, N = 8, K_g = 4, K = 6: 32 tokens, token t picks experts (6t + i) mod 64, every expert 3 times.
        double alpha = 5e-3;
        int tokens = 32;
        double[][] gates = new double[tokens][64];
        double[][] selected = new double[tokens][64];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < 6; i++) {
                selected[t][(6 * t + i) % 64] = 1;
                gates[t][(6 * t + i) % 64] = 1.0 / 6;
            }
        }
        double sd = evalScalar(s -> AuxLosses.intraAux(s, var(s, "w", gates), var(s, "sel", selected), 8, 4, 6, alpha));
        assertEquals(0.5 * alpha, sd, 1e-15);
        assertEquals(0.5 * alpha, LossReference.intraAux(gates, selected, 8, 4, 6, alpha), 1e-15);
    }

    @Test
    void intraAuxWithOneGroupEqualsSwitchLoss() {
        // docs/method.md section 4: with G = 1 and K_g = 1 (N = E) the intra-group loss is the Switch form
        // alpha * E * sum_e f_e P_e with the same P. Both implementations, each through its own coefficients.
        double[][] probs = randomSoftmaxRows(6, 4);
        double[][] selected = topKMask(probs, 2);
        double sdIntra = evalScalar(s -> AuxLosses.intraAux(s, var(s, "g", probs), var(s, "m", selected), 4, 1, 2, 0.01));
        double sdSwitch = evalScalar(s -> AuxLosses.switchAux(s, var(s, "g", probs), var(s, "m", selected), 4, 2, 0.01));
        assertEquals(sdSwitch, sdIntra, 1e-12);
        double[] meanP = new double[4];
        long[] counts = new long[4];
        for (int t = 0; t < 6; t++) {
            for (int e = 0; e < 4; e++) {
                meanP[e] += probs[t][e] / 6;
                counts[e] += Math.round(selected[t][e]);
            }
        }
        RouterLosses.Term intra = RouterLosses.intraAux(meanP, counts, 6, 2, 4, 1, 0.01);
        RouterLosses.Term sw = RouterLosses.switchAux(meanP, counts, 6, 2, 0.01);
        assertEquals(sw.value(), intra.value(), 1e-15);
        assertEquals(sdIntra, intra.value(), 1e-12, "the plain-Java loss equals the SameDiff twin");
        assertTrue(intra.value() > 0.01 * 1.01, "top-2 of random rows is not uniform: " + intra.value());
    }

    @Test
    void switchUnderUniformRoutingEqualsCoefficient() {
        double[][] probs = new double[4][4];
        double[][] selected = new double[4][4];
        for (int t = 0; t < 4; t++) {
            java.util.Arrays.fill(probs[t], 0.25);
            selected[t][t] = 1;
        }
        double sd = evalScalar(s -> AuxLosses.switchAux(s, var(s, "p", probs), var(s, "sel", selected), 4, 1, 0.01));
        assertEquals(0.01, sd, 1e-15);
    }

    @Test
    void zLossOfZeroLogitsIsLogESquared() {
        double[][] logits = new double[3][8];
        double sd = evalScalar(s -> AuxLosses.zLoss(s, 1e-3, var(s, "x", logits)));
        assertEquals(1e-3 * Math.log(8) * Math.log(8), sd, 1e-15);
    }

    @Test
    void crossEntropyOfUniformLogitsIsLogVAndIgnoresPaddedPositions() {
        double[][] logits = {{0, 0, 0, 0}, {0, 0, 0, 0}, {50, -50, 0, 0}};
        int[] targets = {1, 2, 1};
        double[] mask = {1, 1, 0}; // the third position would cost 100 nats if it were counted
        double sd = evalScalar(s -> LmLoss.crossEntropy(s, var(s, "x", logits),
                s.constant(Nd4j.createFromArray(targets)), s.constant(Nd4j.createFromArray(mask)), 4));
        assertEquals(Math.log(4), sd, 1e-12);
        assertEquals(Math.log(4), LossReference.crossEntropy(logits, targets, mask), 1e-12);
    }

    // ---------------------------------------------------------------- SameDiff equals the oracle

    @Test
    void sameDiffTermsEqualPlainJavaOracleOnRandomInputs() {
        double[][] logits = randomMatrix(5, 7, 3.0);
        int[] targets = {0, 6, 3, 3, 1};
        double[] mask = {1, 0, 1, 1, 1};
        assertEquals(LossReference.crossEntropy(logits, targets, mask),
                evalScalar(s -> LmLoss.crossEntropy(s, var(s, "x", logits), s.constant(Nd4j.createFromArray(targets)),
                        s.constant(Nd4j.createFromArray(mask)), 7)), 1e-12);

        double[][] groupLogits = randomMatrix(5, 4, 2.0);
        double[][] groupSel = topKMask(groupLogits, 2);
        double[] c = {1.0, 1.25, 1.5, 1.75};
        assertEquals(LossReference.groupAux(groupLogits, groupSel, c, 2, 0.3),
                evalScalar(s -> AuxLosses.groupAux(s, var(s, "a", groupLogits), var(s, "sel", groupSel), c, 2, 0.3)),
                1e-14);

        double[][] probs = randomSoftmaxRows(5, 8);
        double[][] sel = topKMask(probs, 3);
        double[][] gates = renormalise(probs, sel);
        assertEquals(LossReference.intraAux(gates, sel, 2, 2, 3, 0.7),
                evalScalar(s -> AuxLosses.intraAux(s, var(s, "w", gates), var(s, "sel", sel), 2, 2, 3, 0.7)), 1e-14);
        assertEquals(LossReference.switchAux(probs, sel, 3, 0.7),
                evalScalar(s -> AuxLosses.switchAux(s, var(s, "p", probs), var(s, "sel", sel), 8, 3, 0.7)), 1e-14);
        assertEquals(LossReference.zLoss(0.2, logits, groupLogits),
                evalScalar(s -> AuxLosses.zLoss(s, 0.2, var(s, "x", logits), var(s, "a", groupLogits))), 1e-12);
    }

    // ---------------------------------------------------------------- gradients (finite differences, double)

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        double[][] logits = randomMatrix(4, 6, 2.0);
        int[] targets = {5, 0, 2, 2};
        double[] mask = {1, 1, 0, 1};
        assertGradient(s -> LmLoss.crossEntropy(s, var(s, "x", logits), s.constant(Nd4j.createFromArray(targets)),
                s.constant(Nd4j.createFromArray(mask)), 6), "x");
    }

    @Test
    void groupAuxGradientMatchesFiniteDifferences() {
        double[][] a = randomMatrix(5, 4, 1.0);
        double[][] sel = topKMask(a, 2);
        assertGradient(s -> AuxLosses.groupAux(s, var(s, "a", a), var(s, "sel", sel), new double[] {1, 1.2, 1.4, 1.6},
                2, 1.0), "a");
    }

    @Test
    void intraAuxGradientMatchesFiniteDifferences() {
        // every token picks expert 0 and one other: unequal loads, so the gradient is not zero
        double[][] sel = new double[5][6];
        for (int t = 0; t < 5; t++) {
            sel[t][0] = 1;
            sel[t][1 + t % 5] = 1;
        }
        double[][] logits = randomMatrix(5, 6, 1.0);
        // gates = renormalised softmax over the selection, built in the graph so the gradient is non-trivial
        assertGradient(s -> {
            SDVariable mask = var(s, "sel", sel);
            SDVariable masked = s.nn.softmax(var(s, "x", logits), 1).mul(mask);
            SDVariable gates = masked.div(s.sum(masked, true, 1));
            return AuxLosses.intraAux(s, gates, mask, 3, 2, 2, 1.0);
        }, "x");
    }

    @Test
    void switchAuxGradientMatchesFiniteDifferences() {
        double[][] logits = randomMatrix(5, 6, 1.0);
        double[][] sel = topKMask(logits, 2);
        assertGradient(s -> AuxLosses.switchAux(s, s.nn.softmax(var(s, "x", logits), 1), var(s, "sel", sel), 6, 2, 1.0),
                "x");
    }

    @Test
    void zLossGradientMatchesFiniteDifferences() {
        double[][] x = randomMatrix(4, 5, 3.0);
        double[][] y = randomMatrix(4, 3, 3.0);
        assertGradient(s -> AuxLosses.zLoss(s, 0.5, var(s, "x", x), var(s, "y", y)), "x", "y");
    }

    @Test
    void gradientCheckCatchesAWrongGradient() {
        // ND4J's softmaxCrossEntropy ignores the incoming gradient (docs/engine.md): scaled by 3 its gradient is wrong
        double[][] logits = randomMatrix(4, 5, 1.0);
        double[][] labels = new double[4][5];
        for (int i = 0; i < 4; i++) labels[i][(i * 2) % 5] = 1;
        SameDiff s = SameDiff.create();
        s.loss.softmaxCrossEntropy(null, s.constant(Nd4j.createFromArray(labels)), var(s, "x", logits), null)
                .mul(3.0).rename("L");
        GradientCheck.Result r = GradientCheck.check(s, "L", Map.of(), List.of("x"), 1000, 1e-6, 1e-9, 1);
        assertTrue(r.relError() > 0.1, "the checker must flag the library's unscaled gradient: " + r);
    }

    // ---------------------------------------------------------------- helpers

    private static void assertGradient(Function<SameDiff, SDVariable> build, String... vars) {
        SameDiff s = SameDiff.create();
        build.apply(s).rename("L");
        GradientCheck.Result r = GradientCheck.check(s, "L", Map.of(), List.of(vars), 1000, 1e-6, 1e-9, 1);
        assertTrue(r.relError() < 1e-5, r.toString());
        assertTrue(r.gradientNorm() > 1e-6, "gradient vanished: " + r);
    }

    private static double evalScalar(Function<SameDiff, SDVariable> build) {
        SameDiff s = SameDiff.create();
        SDVariable out = build.apply(s).rename("L");
        return s.output(Map.of(), out.name()).get(out.name()).getDouble(0);
    }

    private static SDVariable var(SameDiff s, String name, double[][] x) {
        return s.var(name, Nd4j.createFromArray(x).castTo(DataType.DOUBLE));
    }

    private double[][] randomMatrix(int rows, int cols, double scale) {
        double[][] x = new double[rows][cols];
        for (double[] row : x) for (int j = 0; j < cols; j++) row[j] = scale * random.nextGaussian();
        return x;
    }

    private double[][] randomSoftmaxRows(int rows, int cols) {
        double[][] x = randomMatrix(rows, cols, 1.0);
        for (int i = 0; i < rows; i++) x[i] = LossReference.softmax(x[i]);
        return x;
    }

    /** 1 at the k largest entries of each row. */
    private static double[][] topKMask(double[][] x, int k) {
        double[][] m = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int s = 0; s < k; s++) {
                int best = -1;
                for (int j = 0; j < x[i].length; j++) {
                    if (m[i][j] == 0 && (best < 0 || x[i][j] > x[i][best])) best = j;
                }
                m[i][best] = 1;
            }
        }
        return m;
    }

    private static double[][] renormalise(double[][] probs, double[][] sel) {
        double[][] w = new double[probs.length][probs[0].length];
        for (int i = 0; i < probs.length; i++) {
            double sum = 0;
            for (int j = 0; j < probs[i].length; j++) sum += probs[i][j] * sel[i][j];
            for (int j = 0; j < probs[i].length; j++) w[i][j] = probs[i][j] * sel[i][j] / sum;
        }
        return w;
    }
}
