package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.GradientCheck;
import io.mohge.losses.LossNames;

/** Backprop through the whole LM (every parameter tensor, sampled elements) against central differences. */
class GradientTest {

    @Test
    void denseLm() {
        check(Tiny.dense());
    }

    @Test
    void topKMoeLm() {
        check(Tiny.moe());
    }

    @Test
    void mohgeLmSigmoidRenormalise() {
        check(Tiny.mohge());
    }

    @Test
    void mohgeLmSoftmaxReferenceGatesSharedExpertAndCapacity() {
        check(Tiny.mohge(ModelConfig.GroupScore.SOFTMAX, ModelConfig.GateMode.REFERENCE,
                new ModelConfig.Shared(1, 4), new ModelConfig.Router(1.0, 0.0)));
    }

    private static void check(ModelConfig config) {
        DecoderLM model = DecoderLM.build(config, Tiny.ALL_LOSSES, 7, DataType.DOUBLE);
        Map<String, INDArray> feed = Tiny.batch(model, 3, 1.0);
        GradientCheck.Result r = GradientCheck.check(model.sameDiff(), LossNames.TOTAL, feed,
                model.trainableParams(), 3, 1e-6, 1e-9, 11);
        assertTrue(r.relError() < 1e-5, config.ffn() + ": " + r);
        assertTrue(r.gradientNorm() > 1e-3, config.ffn() + ": gradient vanished " + r);
    }
}
