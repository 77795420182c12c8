package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

import io.mohge.losses.LossNames;
import io.mohge.model.ModelConfig;
import io.mohge.model.ParamNames;
import io.mohge.model.TemporalConfig;

/** The switch controller's forward: forced decisions against the plain router, and kept expert sets. */
class TemporalRoutingTest {

    static List<OracleCase> cases() {
        return OracleCase.all().stream()
                .filter(c -> List.of("moe top-2", "moe top-1", "mohge sigmoid renormalise", "mohge softmax reference",
                        "mohge group_top_k 1 reference", "mohge with bias", "mohge shared experts").contains(c.name()))
                .toList();
    }

    static ModelConfig withController(ModelConfig m, double cost, double initSwitchProb) {
        return m.withTemporal(new TemporalConfig(true, cost, TemporalConfig.Estimator.REINFORCE, initSwitchProb));
    }

    /** With c = 0 and every decision forced to switch, the controller model is the plain model, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forcedSwitchingEqualsThePlainRouter(OracleCase c) {
        Transformer plain = Transformer.create(c.model(), c.losses(), 5, DataType.DOUBLE);
        Transformer ctl = Transformer.create(withController(c.model(), 0.0, 0.5), c.losses(), 5, DataType.DOUBLE);
        setBias(plain, c.biasOnExpert0());
        setBias(ctl, c.biasOnExpert0());
        ctl.switchPolicy(SwitchPolicy.ALWAYS);
        Batch batch = OracleCase.batch(21);
        plain.params().zeroGrads();
        ctl.params().zeroGrads();
        Transformer.Result a = plain.forwardBackward(batch, 1.0, 1.0);
        Transformer.Result b = ctl.forwardBackward(batch, 1.0, 1.0);
        for (String term : LossNames.ALL) assertEquals(a.losses().get(term), b.losses().get(term), 0.0, term);
        assertEquals(0.0, b.losses().get(LossNames.DELIB_COST), 0.0);
        for (int i = 0; i < a.expertSets().length; i++) {
            assertArrayEquals(a.expertSets()[i], b.expertSets()[i], "expert sets of layer " + i);
            assertArrayEquals(a.tokensPerExpert()[i], b.tokensPerExpert()[i], "tokens per expert of layer " + i);
        }
        for (String name : plain.params().names()) {
            assertEquals(plain.params().grad(name), ctl.params().grad(name), "gradient of " + name);
        }
        for (int i = 0; i < c.model().nLayers(); i++) {
            assertEquals(0.0, ctl.params().grad(ParamNames.controllerWeight(i)).amaxNumber().doubleValue(), 0.0,
                    "forced decisions are not samples: the controller gets no gradient");
        }
        assertEquals(plain.logits(batch), ctl.logits(batch));
    }

    /** Never switching keeps every position of a sequence on the set its first position was routed to. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void neverSwitchingKeepsTheFirstTokensSet(OracleCase c) {
        Transformer plain = Transformer.create(c.model(), c.losses(), 5, DataType.DOUBLE);
        Transformer ctl = Transformer.create(withController(c.model(), 0.0, 0.5), c.losses(), 5, DataType.DOUBLE);
        setBias(plain, c.biasOnExpert0());
        setBias(ctl, c.biasOnExpert0());
        ctl.switchPolicy(SwitchPolicy.NEVER);
        Batch batch = OracleCase.batch(22);
        Transformer.Result a = plain.forward(batch, 1.0);
        Transformer.Result b = ctl.forward(batch, 1.0);
        int k = a.expertSets()[0].length / batch.positions();
        int t = batch.seqLen();
        boolean plainSwitches = false;
        for (int i = 0; i < b.expertSets().length; i++) {
            for (int s = 0; s < batch.sequences(); s++) {
                int[] first = set(b.expertSets()[i], s * t, k);
                assertArrayEquals(set(a.expertSets()[i], s * t, k), first, "a first position routes as the plain router");
                assertTrue(b.switched()[i][s * t], "the first position counts as routed");
                for (int pos = 1; pos < t; pos++) {
                    assertArrayEquals(first, set(b.expertSets()[i], s * t + pos, k), "layer " + i + " sequence " + s
                            + " position " + pos);
                    assertTrue(!b.switched()[i][s * t + pos]);
                    plainSwitches |= !Arrays.equals(first, set(a.expertSets()[i], s * t + pos, k));
                }
            }
        }
        assertTrue(plainSwitches, "the plain router changes sets in this batch, so keeping them is a real constraint");
        assertNotEquals(plain.logits(batch), ctl.logits(batch));
    }

    /** Greedy decisions of a controller that is near 0.5 both keep and switch: the decoder must reproduce them. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyDecisionsMixKeepingAndSwitching(OracleCase c) {
        Transformer ctl = Transformer.create(withController(c.model(), 0.1, 0.5), c.losses(), 5, DataType.DOUBLE);
        Transformer.Result r = ctl.forward(OracleCase.batch(23), 1.0);
        int keeps = 0;
        int switches = 0;
        for (int i = 0; i < r.switched().length; i++) {
            for (int p = 0; p < r.switched()[i].length; p++) {
                if (p % OracleCase.SEQ == 0) continue;
                assertEquals(r.switchProb()[i][p] >= 0.5, r.switched()[i][p], "greedy decision");
                if (r.switched()[i][p]) switches++;
                else keeps++;
            }
        }
        assertTrue(keeps > 0 && switches > 0, "keeps " + keeps + ", switches " + switches);
        double perLayer = OracleCase.BATCH * (OracleCase.SEQ - 1);            // decision positions of one layer
        assertEquals(0.1 * switches / perLayer, r.losses().get(LossNames.DELIB_COST), 1e-12, "c x switch rate per layer");
    }

    static int[] set(int[] sets, int position, int k) {
        int[] s = Arrays.copyOfRange(sets, position * k, position * k + k);
        Arrays.sort(s);
        return s;
    }

    static void setBias(Transformer m, double bias) {
        if (bias == 0) return;
        for (int i = 0; i < m.config().nLayers(); i++) m.params().state().get(ParamNames.expertBias(i)).putScalar(0, bias);
    }
}
