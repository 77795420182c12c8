package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.LossNames;

/** Sparse dispatch against the dense-masked oracle, capacity drops, and G = 1 reducing to plain top-k MoE. */
class SparseDispatchTest {

    @Test
    void sparseAndDenseMaskedAgreeForMoe() {
        assertSameAsOracle(Tiny.moe(), null);
    }

    @Test
    void sparseAndDenseMaskedAgreeForMohgeWithSharedExpert() {
        assertSameAsOracle(Tiny.mohge(ModelConfig.GroupScore.SIGMOID, ModelConfig.GateMode.RENORMALISE,
                new ModelConfig.Shared(2, 3), ModelConfig.Router.DEFAULTS), null);
    }

    @Test
    void capacityDropsOverflowAndStillAgreesWithOracle() {
        // bias state on expert 0 makes every token pick it: 8 first choices for capacity ceil(8*2/4 * 1.0) = 4
        ModelConfig config = Tiny.config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(4, 6, 2),
                ModelConfig.Mohge.DEFAULTS, ModelConfig.Shared.DEFAULTS, new ModelConfig.Router(1.0, 0.01));
        Outputs out = assertSameAsOracle(config, "layers.0.ffn.router.expert_bias");
        assertEquals(4.0, out.scalar("layers.0.dropped_tokens"), 0.0);
        assertEquals(8.0, out.vector("layers.0.tokens_per_expert")[0], 0.0);
    }

    @Test
    void droplessWhenCapacityFactorIsZero() {
        ModelConfig config = Tiny.config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(4, 6, 2),
                ModelConfig.Mohge.DEFAULTS, ModelConfig.Shared.DEFAULTS, new ModelConfig.Router(0.0, 0.01));
        Outputs out = assertSameAsOracle(config, "layers.0.ffn.router.expert_bias");
        assertEquals(0.0, out.scalar("layers.0.dropped_tokens"), 0.0);
    }

    @Test
    void mohgeWithOneGroupReducesToTopKMoe() {
        ModelConfig moe = Tiny.moe();
        ModelConfig mohge = Tiny.config(ModelConfig.FfnType.MOHGE, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(1, 4, List.of(6), 1, 2, ModelConfig.GroupScore.SIGMOID,
                        ModelConfig.GateMode.RENORMALISE),
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
        DecoderLM a = DecoderLM.build(moe, Tiny.ALL_LOSSES, 21, DataType.DOUBLE);
        DecoderLM b = DecoderLM.build(mohge, Tiny.ALL_LOSSES, 21, DataType.DOUBLE);
        assertEquals(a.trainableParams(), b.trainableParams());
        Outputs x = Outputs.run(a, Tiny.batch(a, 4, 1.0), List.of());
        Outputs y = Outputs.run(b, Tiny.batch(b, 4, 1.0), List.of());
        assertClose(x.raw(DecoderLM.LOGITS), y.raw(DecoderLM.LOGITS), 1e-12);
        assertEquals(x.raw("layers.1.selected_experts"), y.raw("layers.1.selected_experts"));
        for (String term : LossNames.ALL) assertEquals(x.scalar(term), y.scalar(term), 1e-12, term);
        assertTrue(x.scalar(LossNames.INTRA_AUX) > 0);
    }

    /** Builds sparse and oracle graphs with the same seed (and the same bias), compares outputs and gradients. */
    private static Outputs assertSameAsOracle(ModelConfig config, String biasToSet) {
        DecoderLM sparse = DecoderLM.build(config, Tiny.ALL_LOSSES, 13, DataType.DOUBLE, false);
        DecoderLM dense = DecoderLM.build(config, Tiny.ALL_LOSSES, 13, DataType.DOUBLE, true);
        if (biasToSet != null) {
            sparse.sameDiff().getArrForVarName(biasToSet).putScalar(0, 5.0);
            dense.sameDiff().getArrForVarName(biasToSet).putScalar(0, 5.0);
        }
        Map<String, INDArray> feed = Tiny.batch(sparse, 8, 1.0);
        Outputs s = Outputs.run(sparse, feed, List.of());
        Outputs d = Outputs.run(dense, feed, List.of());
        assertClose(d.raw(DecoderLM.LOGITS), s.raw(DecoderLM.LOGITS), 1e-12);
        for (String term : LossNames.ALL) assertEquals(d.scalar(term), s.scalar(term), 1e-12, term);
        Map<String, INDArray> gs = grads(sparse.sameDiff(), feed, sparse.trainableParams());
        Map<String, INDArray> gd = grads(dense.sameDiff(), feed, dense.trainableParams());
        for (String p : sparse.trainableParams()) assertClose(gd.get(p), gs.get(p), 1e-11);
        return s;
    }

    private static Map<String, INDArray> grads(SameDiff sd, Map<String, INDArray> feed, List<String> params) {
        return sd.calculateGradients(feed, params);
    }

    static void assertClose(INDArray expected, INDArray actual, double tol) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()));
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= tol, "max abs difference " + diff);
    }
}
