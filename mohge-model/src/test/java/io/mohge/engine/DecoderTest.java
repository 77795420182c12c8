package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import io.mohge.model.ModelConfig;

/** Incremental decoding with the key/value cache gives the full forward pass's logits at every position. */
class DecoderTest {

    static List<OracleCase> cases() {
        return OracleCase.all().stream()
                .filter(c -> List.of("dense", "moe top-2", "mohge shared experts", "mohge with bias",
                        "mohge softmax reference", "mohge group_top_k 1 reference").contains(c.name()))
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cachedDecodingEqualsTheFullForward(OracleCase c) {
        for (DataType dtype : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Transformer model = Transformer.create(c.model(), c.losses(), 3, dtype);
            model.params().state().forEach((name, bias) -> bias.putScalar(0, 0.2));
            int[] tokens = OracleCase.batch(9).tokens();
            int t = OracleCase.SEQ;
            int[][] row = {java.util.Arrays.copyOf(tokens, t)};
            INDArray full = model.logits(Batch.ofTokens(row));                        // [1, T, V]
            Decoder decoder = model.decoder();
            double tol = dtype == DataType.DOUBLE ? 1e-9 : 2e-5;
            for (int pos = 0; pos < t; pos++) {
                double[] step = decoder.next(row[0][pos]);
                for (int v = 0; v < step.length; v++) {
                    assertEquals(full.getDouble(0, pos, v), step[v], tol, dtype + " position " + pos + " logit " + v);
                }
            }
            assertEquals(t, decoder.position());
            decoder.reset();
            double[] again = decoder.next(row[0][0]);
            assertEquals(full.getDouble(0, 0, 3), again[3], tol, "after reset the sequence starts over");
        }
    }

    /**
     * With switch controllers the decoder remembers each layer's previous expert set: its greedy decisions, kept sets
     * and logits are those of the full forward of the same sequence (which decides greedily too), position by
     * position, and a reset starts a new sequence that routes its first token.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cachedDecodingWithSwitchControllersEqualsTheFullForward(OracleCase c) {
        if (c.model().ffn() == ModelConfig.FfnType.DENSE) return;
        Transformer model = Transformer.create(TemporalRoutingTest.withController(c.model(), 0.1, 0.5), c.losses(), 3,
                DataType.DOUBLE);
        model.params().state().forEach((name, bias) -> bias.putScalar(0, 0.2));
        int t = OracleCase.SEQ;
        int[][] row = {java.util.Arrays.copyOf(OracleCase.batch(9).tokens(), t)};
        INDArray full = model.logits(Batch.ofTokens(row));                        // [1, T, V]
        Transformer.Result routing = model.forward(Batch.ofTokens(row), 0.0);
        int k = routing.expertSets()[0].length / t;
        int kept = 0;
        Decoder decoder = model.decoder();
        for (int round = 0; round < 2; round++) {
            for (int pos = 0; pos < t; pos++) {
                double[] step = decoder.next(row[0][pos]);
                for (int v = 0; v < step.length; v++) {
                    assertEquals(full.getDouble(0, pos, v), step[v], 1e-9, "round " + round + " position " + pos);
                }
                int[][] sets = decoder.expertSets();
                for (int i = 0; i < sets.length; i++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(routing.expertSets()[i], pos * k, pos * k + k), sets[i],
                            "layer " + i + " position " + pos);
                    if (round == 0 && !routing.switched()[i][pos]) kept++;
                }
            }
            decoder.reset();
        }
        assertTrue(kept > 0, "some positions keep their expert set");
    }

    /**
     * Past seq_len the cache is a ring: the logits after 2T tokens equal a full forward over the newest T tokens
     * whose positions were shifted. With RoPE a shift of every position changes nothing, so this is the full
     * forward of the last T tokens at positions 0..T-1, as long as the last T tokens' cached keys and values were
     * computed with the same context, which holds for one layer.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void pastTheWindowTheCacheSlides(OracleCase c) {
        ModelConfig one = new ModelConfig(c.model().vocabSize(), c.model().dModel(), 1, c.model().nHeads(),
                c.model().seqLen(), c.model().ropeTheta(), c.model().normEps(), c.model().initStd(), c.model().ffn(),
                c.model().dense(), c.model().moe(), c.model().mohge(), c.model().shared(), c.model().router());
        Transformer model = Transformer.create(one, c.losses(), 3, DataType.DOUBLE);
        int t = OracleCase.SEQ;
        int[] tokens = OracleCase.batch(12).tokens();                                  // 3T tokens
        Decoder decoder = model.decoder();
        double[] last = null;
        for (int i = 0; i < t + 2; i++) last = decoder.next(tokens[i]);
        // one layer: attention at position T+1 sees tokens 2..T+1, whose keys/values depend on their own embedding only
        int[][] window = {java.util.Arrays.copyOfRange(tokens, 2, t + 2)};
        INDArray full = model.logits(Batch.ofTokens(window));
        for (int v = 0; v < last.length; v++) assertEquals(full.getDouble(0, t - 1, v), last[v], 1e-9, "logit " + v);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decoderSeesParameterUpdates(OracleCase c) {
        Transformer model = Transformer.create(c.model(), c.losses(), 3, DataType.FLOAT);
        Decoder decoder = model.decoder();
        double before = decoder.next(2)[4];
        model.params().values().muli(1.5);
        decoder.reset();
        assertTrue(Math.abs(decoder.next(2)[4] - before) > 1e-6, "the decoder shares the model's parameters");
    }
}
