package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.LossNames;

/** The float32 graph used the way the trainer uses it: SGD on one batch memorises it; biases move. */
class TrainingSmokeTest {

    @Test
    void sgdOnOneBatchDrivesTheLmLossDownAndUpdatesRouterBiases() {
        ModelConfig config = Tiny.mohge(ModelConfig.GroupScore.SIGMOID, ModelConfig.GateMode.RENORMALISE,
                new ModelConfig.Shared(1, 4), new ModelConfig.Router(0, 0.01));
        DecoderLM model = DecoderLM.build(config, Tiny.ALL_LOSSES, 5);
        SameDiff sd = model.sameDiff();
        Map<String, INDArray> feed = Tiny.batch(model, 12, 1.0);
        List<String> outputs = new ArrayList<>(model.lossTermNames());
        for (int i = 0; i < config.nLayers(); i++) outputs.add("layers." + i + ".tokens_per_expert");
        double first = Double.NaN;
        double last = Double.NaN;
        for (int step = 0; step < 40; step++) {
            OutAndGrad r = sd.calculateGradientsAndOutputs(feed, outputs, model.trainableParams());
            double lm = r.getOutputs().get(LossNames.LM).getDouble(0);
            assertTrue(Double.isFinite(lm), "step " + step + " lm_loss " + lm);
            if (step == 0) first = lm;
            last = lm;
            for (String p : model.trainableParams()) sd.getArrForVarName(p).subi(r.getGradients().get(p).mul(0.3));
            Map<String, INDArray> loads = new HashMap<>();
            for (int i = 0; i < config.nLayers(); i++) {
                loads.put("layers." + i + ".tokens_per_expert", r.getOutputs().get("layers." + i + ".tokens_per_expert"));
            }
            model.updateRouterBiases(loads);
        }
        assertTrue(last < 0.5 * first, "lm_loss " + first + " -> " + last);
        assertTrue(sd.getArrForVarName("layers.0.ffn.router.expert_bias").amaxNumber().doubleValue() > 0);
    }
}
