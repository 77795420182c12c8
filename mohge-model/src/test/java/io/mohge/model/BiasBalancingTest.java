package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.LossConfig;

/** Auxiliary-loss-free balancing: update rule, selection-only effect, state handling. */
class BiasBalancingTest {

    private static ModelConfig withBias(double gamma) {
        return Tiny.mohge(ModelConfig.GroupScore.SIGMOID, ModelConfig.GateMode.RENORMALISE,
                ModelConfig.Shared.DEFAULTS, new ModelConfig.Router(0, gamma));
    }

    @Test
    void updateMovesEachBiasTowardsItsGroupMean() {
        DecoderLM model = DecoderLM.build(withBias(0.01), LossConfig.DEFAULTS, 1, DataType.DOUBLE);
        assertEquals(List.of("layers.0.ffn.router.expert_bias", "layers.1.ffn.router.expert_bias"), model.stateNames());
        assertFalse(model.trainableParams().contains("layers.0.ffn.router.expert_bias"));
        // 3 groups x 2 experts: loads [5, 1 | 3, 3 | 0, 2]
        INDArray load = Nd4j.createFromArray(5.0, 1.0, 3.0, 3.0, 0.0, 2.0);
        model.updateRouterBiases(Map.of("layers.0.tokens_per_expert", load, "layers.1.tokens_per_expert", load));
        model.updateRouterBiases(Map.of("layers.0.tokens_per_expert", load, "layers.1.tokens_per_expert", load));
        assertArrayEquals(new double[] {-0.02, 0.02, 0, 0, 0.02, -0.02},
                model.sameDiff().getArrForVarName("layers.1.ffn.router.expert_bias").toDoubleVector(), 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.updateRouterBiases(Map.of("layers.0.tokens_per_expert", load)));
        assertTrue(e.getMessage().startsWith("layers.1.tokens_per_expert"), e.getMessage());
    }

    @Test
    void noBiasStateAndNoOpWhenRateIsZero() {
        DecoderLM model = DecoderLM.build(withBias(0), LossConfig.DEFAULTS, 1, DataType.DOUBLE);
        assertTrue(model.stateNames().isEmpty());
        model.updateRouterBiases(Map.of()); // nothing to update, nothing required
    }

    @Test
    void biasChangesSelectionButNotGateValues() {
        DecoderLM model = DecoderLM.build(withBias(0.01), LossConfig.DEFAULTS, 1, DataType.DOUBLE);
        Map<String, INDArray> feed = Tiny.batch(model, 6, 1.0);
        // a large bias on expert 5 (group 2): chosen by every token whose selected groups include group 2
        model.sameDiff().getArrForVarName("layers.0.ffn.router.expert_bias").putScalar(5, 10.0);
        Outputs out = Outputs.run(model, feed, List.of());
        int[][] groups = out.ints("layers.0.selected_groups");
        int[][] experts = out.ints("layers.0.selected_experts");
        double[][] q = out.matrix("layers.0.q");
        double[][] gates = out.matrix("layers.0.gates");
        int withGroup2 = 0;
        for (int t = 0; t < groups.length; t++) {
            boolean hasGroup2 = java.util.Arrays.stream(groups[t]).anyMatch(g -> g == 2);
            boolean hasExpert5 = java.util.Arrays.stream(experts[t]).anyMatch(e -> e == 5);
            assertEquals(hasGroup2, hasExpert5, "token " + t);
            if (hasGroup2) withGroup2++;
            double norm = 0;
            for (int e : experts[t]) {
                assertTrue(java.util.Arrays.stream(groups[t]).anyMatch(g -> g == e / 2), "expert outside S_t");
                norm += q[t][e];
            }
            for (int e : experts[t]) assertEquals(q[t][e] / norm, gates[t][e], 1e-12); // gates from q alone
        }
        assertTrue(withGroup2 > 0);
    }

    @Test
    void biasIsSavedWithTheGraph(@TempDir Path dir) throws Exception {
        DecoderLM model = DecoderLM.build(withBias(0.01), LossConfig.DEFAULTS, 1, DataType.FLOAT);
        model.sameDiff().getArrForVarName("layers.0.ffn.router.expert_bias").putScalar(3, 0.25);
        File file = dir.resolve("model.sd").toFile();
        model.sameDiff().save(file, true);
        SameDiff loaded = SameDiff.load(file, true);
        assertEquals(0.25, loaded.getArrForVarName("layers.0.ffn.router.expert_bias").getDouble(3), 1e-7);
        Map<String, INDArray> feed = Tiny.batch(model, 6, 1.0);
        assertEquals(model.sameDiff().output(feed, "loss").get("loss").getDouble(0),
                loaded.output(feed, "loss").get("loss").getDouble(0), 1e-6);
        Map<String, INDArray> g0 = model.sameDiff().calculateGradients(feed, model.trainableParams());
        Map<String, INDArray> g1 = loaded.calculateGradients(feed, model.trainableParams());
        for (String p : model.trainableParams()) SparseDispatchTest.assertClose(g0.get(p), g1.get(p), 1e-6);
    }
}
