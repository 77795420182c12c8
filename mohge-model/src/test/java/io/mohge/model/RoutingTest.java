package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import io.mohge.losses.LossConfig;

/** Routing invariants of docs/method.md section 2, checked on the exposed per-layer outputs. */
class RoutingTest {

    @Test
    void renormaliseGatesFollowTheTwoLevelRule() {
        checkLayers(Tiny.mohge());
    }

    @Test
    void referenceGatesAreSoftmaxOfQOverTheSelection() {
        checkLayers(Tiny.mohge(ModelConfig.GroupScore.SOFTMAX, ModelConfig.GateMode.REFERENCE,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS));
    }

    private static void checkLayers(ModelConfig config) {
        DecoderLM model = DecoderLM.build(config, LossConfig.DEFAULTS, 5, DataType.DOUBLE);
        Outputs out = Outputs.run(model, Tiny.batch(model, 9, 1.0), List.of());
        ModelConfig.Mohge m = config.mohge();
        int tokens = Tiny.BATCH * Tiny.SEQ;
        for (int layer = 0; layer < config.nLayers(); layer++) {
            String p = "layers." + layer + ".";
            double[][] groupLogits = out.matrix(p + "group_logits");
            double[][] groupProbs = out.matrix(p + "group_probs");
            double[][] q = out.matrix(p + "q");
            double[][] gates = out.matrix(p + "gates");
            int[][] groups = out.ints(p + "selected_groups");
            int[][] experts = out.ints(p + "selected_experts");
            double[] perExpert = out.vector(p + "tokens_per_expert");
            double[] perGroupCount = out.vector(p + "tokens_per_group");
            double[] expectedPerExpert = new double[m.experts()];
            double[] expectedPerGroup = new double[m.groups()];
            double[][] logitsE = out.matrix(p + "expert_logits");
            for (int t = 0; t < tokens; t++) {
                // level 1: S_t = top-K_g of sigma, p renormalised over S_t
                double[] sigma = m.groupScore() == ModelConfig.GroupScore.SIGMOID
                        ? sigmoid(groupLogits[t]) : softmax(groupLogits[t]);
                int[] topGroups = topK(sigma, m.groupTopK());
                assertEquals(sorted(topGroups), sorted(groups[t]), "selected groups of token " + t);
                double selSum = 0;
                for (int g : groups[t]) selSum += sigma[g];
                for (int g = 0; g < m.groups(); g++) {
                    boolean in = contains(groups[t], g);
                    assertEquals(in ? sigma[g] / selSum : 0.0, groupProbs[t][g], 1e-12);
                    if (in) expectedPerGroup[g]++;
                }
                // level 2: q = softmax within the group * p; sums to 1
                double qSum = 0;
                for (int g = 0; g < m.groups(); g++) {
                    double[] r = softmax(Arrays.copyOfRange(logitsE[t], g * m.expertsPerGroup(), (g + 1) * m.expertsPerGroup()));
                    for (int j = 0; j < m.expertsPerGroup(); j++) {
                        assertEquals(r[j] * groupProbs[t][g], q[t][g * m.expertsPerGroup() + j], 1e-12);
                        qSum += q[t][g * m.expertsPerGroup() + j];
                    }
                }
                assertEquals(1.0, qSum, 1e-12);
                // TopK of q; every selected expert lies in a selected group; gates sum to 1
                assertEquals(sorted(topK(q[t], m.topK())), sorted(experts[t]), "selected experts of token " + t);
                double gateSum = 0;
                double norm = 0;
                for (int e : experts[t]) norm += m.gateMode() == ModelConfig.GateMode.RENORMALISE ? q[t][e] : Math.exp(q[t][e]);
                for (int e = 0; e < m.experts(); e++) {
                    boolean in = contains(experts[t], e);
                    if (in) {
                        assertTrue(contains(groups[t], e / m.expertsPerGroup()), "expert " + e + " outside S_t");
                        expectedPerExpert[e]++;
                        double w = m.gateMode() == ModelConfig.GateMode.RENORMALISE ? q[t][e] : Math.exp(q[t][e]);
                        assertEquals(w / norm, gates[t][e], 1e-12);
                    } else {
                        assertEquals(0.0, gates[t][e], 0.0);
                    }
                    gateSum += gates[t][e];
                }
                assertEquals(1.0, gateSum, 1e-12);
            }
            assertEquals(Arrays.toString(expectedPerExpert), Arrays.toString(perExpert));
            assertEquals(Arrays.toString(expectedPerGroup), Arrays.toString(perGroupCount));
            assertEquals(tokens * m.topK(), Arrays.stream(perExpert).sum(), 0);
            assertEquals(tokens * m.groupTopK(), Arrays.stream(perGroupCount).sum(), 0);
            assertEquals(0.0, out.scalar(p + "dropped_tokens"), 0);
        }
    }

    static double[] sigmoid(double[] a) {
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) s[i] = 1 / (1 + Math.exp(-a[i]));
        return s;
    }

    static double[] softmax(double[] a) {
        double max = Arrays.stream(a).max().orElseThrow();
        double sum = 0;
        double[] s = new double[a.length];
        for (int i = 0; i < a.length; i++) sum += s[i] = Math.exp(a[i] - max);
        for (int i = 0; i < a.length; i++) s[i] /= sum;
        return s;
    }

    static int[] topK(double[] x, int k) {
        Integer[] order = new Integer[x.length];
        for (int i = 0; i < x.length; i++) order[i] = i;
        Arrays.sort(order, (i, j) -> Double.compare(x[j], x[i]));
        int[] top = new int[k];
        for (int i = 0; i < k; i++) top[i] = order[i];
        return top;
    }

    private static boolean contains(int[] values, int v) {
        return Arrays.stream(values).anyMatch(x -> x == v);
    }

    private static String sorted(int[] v) {
        int[] c = v.clone();
        Arrays.sort(c);
        return Arrays.toString(c);
    }
}
