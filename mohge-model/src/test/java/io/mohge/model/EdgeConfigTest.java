package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Size-1 axes (top-1, one group per token, one expert per group) must not hit ND4J's failing reductions over an
 * axis of size 1, and every trainable parameter must receive a gradient.
 */
class EdgeConfigTest {

    @Test
    void topOneMoeWithCapacity() {
        runAndBackprop(Tiny.config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(3, 5, 1), ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, new ModelConfig.Router(1.5, 0.01)));
    }

    @Test
    void mohgeWithOneExpertPerGroupAndTopOneGroup() {
        runAndBackprop(Tiny.config(ModelConfig.FfnType.MOHGE, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(2, 1, List.of(4, 6), 1, 1, ModelConfig.GroupScore.SOFTMAX,
                        ModelConfig.GateMode.REFERENCE),
                new ModelConfig.Shared(1, 4), new ModelConfig.Router(1.0, 0.01)));
    }

    @Test
    void singleExpertLayerIsRejectedWithTheKeyName() {
        ModelConfig config = Tiny.config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(1, 5, 1),
                ModelConfig.Mohge.DEFAULTS, ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecoderLM.build(config, Tiny.ALL_LOSSES, 1));
        assertTrue(e.getMessage().startsWith("experts:"), e.getMessage());
    }

    private static void runAndBackprop(ModelConfig config) {
        DecoderLM model = DecoderLM.build(config, Tiny.ALL_LOSSES, 3, DataType.FLOAT);
        Map<String, INDArray> feed = Tiny.batch(model, 1, 1.0);
        Map<String, INDArray> grads = model.sameDiff().calculateGradients(feed, model.trainableParams());
        for (String p : model.trainableParams()) assertNotNull(grads.get(p), p);
        Outputs out = Outputs.run(model, feed, List.of());
        double[] perExpert = out.vector("layers.0.tokens_per_expert");
        int k = config.ffn() == ModelConfig.FfnType.MOE ? config.moe().topK() : config.mohge().topK();
        assertEquals(Tiny.BATCH * Tiny.SEQ * k, java.util.Arrays.stream(perExpert).sum(), 0.0);
        assertTrue(Double.isFinite(out.scalar("loss")));
    }
}
