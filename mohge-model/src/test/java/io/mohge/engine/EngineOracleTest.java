package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.LossNames;
import io.mohge.model.DecoderLM;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamNames;

/**
 * The engine against the SameDiff graph (the oracle) in float64: same initial weights by name, same batch;
 * every loss term, the logits and the gradient of every parameter must agree to 1e-9 relative.
 */
class EngineOracleTest {

    private static final double TOL = 1e-9;

    static List<OracleCase> cases() {
        return OracleCase.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void engineMatchesOracle(OracleCase c) {
        DecoderLM oracle = DecoderLM.build(c.model(), c.losses(), 7, DataType.DOUBLE);
        Transformer engine = Transformer.create(c.model(), c.losses(), 7, DataType.DOUBLE);
        assertEquals(oracle.trainableParams().stream().sorted().toList(), engine.params().names().stream().sorted().toList());
        for (String name : oracle.trainableParams()) {
            assertEquals(oracle.sameDiff().getArrForVarName(name), engine.params().param(name), "initial " + name);
        }
        if (c.biasOnExpert0() != 0) {
            for (int i = 0; i < c.model().nLayers(); i++) {
                oracle.sameDiff().getArrForVarName(ParamNames.expertBias(i)).putScalar(0, c.biasOnExpert0());
                engine.params().state().get(ParamNames.expertBias(i)).putScalar(0, c.biasOnExpert0());
            }
        }
        Batch batch = OracleCase.batch(11);
        List<String> outputs = new ArrayList<>(LossNames.ALL);
        outputs.add(DecoderLM.LOGITS);
        for (int i = 0; i < c.model().nLayers(); i++) {
            outputs.addAll(oracle.routingOutputNames(i).stream()
                    .filter(n -> n.endsWith("tokens_per_expert") || n.endsWith("dropped_tokens")).toList());
        }
        OutAndGrad expected = oracle.sameDiff().calculateGradientsAndOutputs(feed(oracle, batch), outputs,
                oracle.trainableParams());

        engine.params().zeroGrads();
        Transformer.Result result = engine.forwardBackward(batch, 1.0, 1.0);

        Map<String, INDArray> out = expected.getOutputs();
        for (String term : LossNames.ALL) {
            double want = out.get(term).getDouble(0);
            assertEquals(want, result.losses().get(term), TOL * Math.max(1e-3, Math.abs(want)), term);
        }
        if (c.model().ffn() != ModelConfig.FfnType.DENSE) {
            long dropped = 0;
            for (int i = 0; i < c.model().nLayers(); i++) {
                double[] counts = out.get("layers." + i + ".tokens_per_expert").toDoubleVector();
                long[] want = new long[counts.length];
                for (int e = 0; e < counts.length; e++) want[e] = Math.round(counts[e]);
                assertArrayEquals(want, result.tokensPerExpert()[i], "tokens_per_expert of layer " + i);
                dropped += Math.round(out.get("layers." + i + ".dropped_tokens").getDouble(0));
            }
            assertEquals(dropped, result.dropped(), "dropped assignments");
        }
        for (String name : oracle.trainableParams()) {
            assertClose(expected.getGradients().get(name), engine.params().grad(name), "gradient of " + name);
        }
        assertClose(out.get(DecoderLM.LOGITS), engine.logits(batch), "logits");
        edgeCaseExercised(c, result);
    }

    /** The edge cases must really happen in the batch, or their comparison proves nothing. */
    private static void edgeCaseExercised(OracleCase c, Transformer.Result r) {
        if (c.name().contains("capacity")) assertTrue(r.dropped() > 0, "no assignment was dropped");
        if (c.name().contains("idle")) {
            boolean idle = false;
            for (long[] layer : r.tokensPerExpert()) for (long n : layer) idle |= n == 0;
            assertTrue(idle, "every expert received a token");
        }
    }

    static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double scale = Math.max(1e-12, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual.castTo(expected.dataType())).amaxNumber().doubleValue();
        assertTrue(diff <= TOL * scale, what + ": max |diff| " + diff + " for max |value| " + scale);
    }

    static Map<String, INDArray> feed(DecoderLM lm, Batch b) {
        int[][] tokens = new int[b.sequences()][b.seqLen()];
        int[][] targets = new int[b.sequences()][b.seqLen()];
        double[][] mask = new double[b.sequences()][b.seqLen()];
        for (int s = 0; s < b.sequences(); s++) {
            for (int t = 0; t < b.seqLen(); t++) {
                tokens[s][t] = b.tokens()[s * b.seqLen() + t];
                targets[s][t] = b.targets()[s * b.seqLen() + t];
                mask[s][t] = b.mask()[s * b.seqLen() + t];
            }
        }
        return lm.feed(Nd4j.createFromArray(tokens), Nd4j.createFromArray(targets), Nd4j.createFromArray(mask), 1.0);
    }
}
