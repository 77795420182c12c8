package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.losses.AuxLosses;
import io.mohge.losses.LossConfig;
import io.mohge.losses.RouterLosses;
import io.mohge.losses.LossNames;
import io.mohge.losses.LossReference;

/** The graph's loss terms equal the plain-Java formulas applied to its own routing outputs, summed over layers. */
class LossWiringTest {

    @Test
    void everyTermEqualsHandComputationSummedOverLayers() {
        ModelConfig config = Tiny.mohge();
        LossConfig losses = Tiny.ALL_LOSSES;
        DecoderLM model = DecoderLM.build(config, losses, 17, DataType.DOUBLE);
        Map<String, INDArray> feed = Tiny.batch(model, 2, 1.0);
        Outputs out = Outputs.run(model, feed, List.of());
        ModelConfig.Mohge m = config.mohge();
        double[] cost = RouterLosses.costWeights(m.widths(), losses.groupInterval());

        double group = 0;
        double intra = 0;
        double sw = 0;
        double z = 0;
        for (int layer = 0; layer < config.nLayers(); layer++) {
            String p = "layers." + layer + ".";
            double[][] groupLogits = out.matrix(p + "group_logits");
            double[][] groupMask = Outputs.mask(out.ints(p + "selected_groups"), m.groups());
            double[][] expertMask = Outputs.mask(out.ints(p + "selected_experts"), m.experts());
            group += LossReference.groupAux(groupLogits, groupMask, cost, m.groupTopK(), losses.groupCoef());
            intra += LossReference.intraAux(out.matrix(p + "gates"), expertMask, m.expertsPerGroup(), m.groupTopK(),
                    m.topK(), losses.intraCoef());
            sw += LossReference.switchAux(out.matrix(p + "q"), expertMask, m.topK(), losses.switchCoef());
            z += LossReference.zLoss(losses.zCoef(), groupLogits, out.matrix(p + "expert_logits"));
        }
        assertEquals(group, out.scalar(LossNames.GROUP_AUX), 1e-12);
        assertEquals(intra, out.scalar(LossNames.INTRA_AUX), 1e-12);
        assertEquals(sw, out.scalar(LossNames.SWITCH_AUX), 1e-12);
        assertEquals(z, out.scalar(LossNames.Z_LOSS), 1e-12);

        double[][] logits = out.raw(DecoderLM.LOGITS).reshape(-1, Tiny.VOCAB).toDoubleMatrix();
        int[] targets = feed.get(DecoderLM.TARGETS).reshape(-1).toIntVector();
        double[] mask = feed.get(DecoderLM.LOSS_MASK).reshape(-1).toDoubleVector();
        double lm = LossReference.crossEntropy(logits, targets, mask);
        assertEquals(lm, out.scalar(LossNames.LM), 1e-12);
        assertEquals(lm + group + intra + sw + z, out.scalar(LossNames.TOTAL), 1e-12);
        assertTrue(group > 0 && intra > 0 && sw > 0 && z > 0);
    }

    @Test
    void groupAuxScaleZeroSwitchesTheGroupLossOff() {
        DecoderLM model = DecoderLM.build(Tiny.mohge(), Tiny.ALL_LOSSES, 17, DataType.DOUBLE);
        Outputs on = Outputs.run(model, Tiny.batch(model, 2, 1.0), List.of());
        Outputs off = Outputs.run(model, Tiny.batch(model, 2, 0.0), List.of());
        assertTrue(on.scalar(LossNames.GROUP_AUX) > 0);
        assertEquals(0.0, off.scalar(LossNames.GROUP_AUX), 0.0);
        assertEquals(on.scalar(LossNames.TOTAL) - on.scalar(LossNames.GROUP_AUX), off.scalar(LossNames.TOTAL), 1e-12);
    }

    @Test
    void paddingPositionsDoNotCountInTheLmLoss() {
        DecoderLM model = DecoderLM.build(Tiny.dense(), LossConfig.DEFAULTS, 17, DataType.DOUBLE);
        Map<String, INDArray> feed = Tiny.batch(model, 2, 1.0);
        double before = Outputs.run(model, feed, List.of()).scalar(LossNames.LM);
        feed.get(DecoderLM.TARGETS).putScalar(new long[] {1, Tiny.SEQ - 1}, (feed.get(DecoderLM.TARGETS)
                .getInt(1, Tiny.SEQ - 1) + 1) % Tiny.VOCAB); // change the target of the masked position
        assertEquals(before, Outputs.run(model, feed, List.of()).scalar(LossNames.LM), 0.0);
    }

    @Test
    void denseModelReportsZeroAuxTermsUnderTheSameNames() {
        DecoderLM model = DecoderLM.build(Tiny.dense(), Tiny.ALL_LOSSES, 17, DataType.DOUBLE);
        Outputs out = Outputs.run(model, Tiny.batch(model, 2, 1.0), List.of());
        for (String term : List.of(LossNames.GROUP_AUX, LossNames.INTRA_AUX, LossNames.SWITCH_AUX, LossNames.Z_LOSS)) {
            assertEquals(0.0, out.scalar(term), 0.0, term);
        }
        assertEquals(out.scalar(LossNames.LM), out.scalar(LossNames.TOTAL), 0.0);
        assertTrue(model.routingOutputNames(0).isEmpty());
    }

    @Test
    void futureTokensDoNotChangeEarlierLogits() {
        DecoderLM model = DecoderLM.build(Tiny.mohge(), LossConfig.DEFAULTS, 17, DataType.DOUBLE);
        Map<String, INDArray> feed = Tiny.batch(model, 2, 1.0);
        INDArray before = Outputs.run(model, feed, List.of()).raw(DecoderLM.LOGITS).dup();
        INDArray tokens = feed.get(DecoderLM.TOKENS);
        tokens.putScalar(new long[] {0, Tiny.SEQ - 1}, (tokens.getInt(0, Tiny.SEQ - 1) + 3) % Tiny.VOCAB);
        INDArray after = Outputs.run(model, feed, List.of()).raw(DecoderLM.LOGITS);
        for (int t = 0; t < Tiny.SEQ; t++) {
            double diff = before.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t)).sub(after.get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(t)))
                    .amaxNumber().doubleValue();
            if (t < Tiny.SEQ - 1) assertEquals(0.0, diff, 1e-12, "position " + t + " saw the future");
            else assertTrue(diff > 1e-6, "the changed position itself must change");
        }
    }
}
