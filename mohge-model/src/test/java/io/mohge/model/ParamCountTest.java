package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import io.mohge.losses.LossConfig;

/** Parameter counts from the config against docs/method.md's reference figures and against real graphs. */
class ParamCountTest {

    private static final List<Integer> A3B_WIDTHS = List.of(384, 512, 640, 768, 896, 1024, 1152, 1280);

    static ModelConfig a3b(ModelConfig.FfnType ffn) {
        return new ModelConfig(32000, 1024, 15, 16, 4096, 10000.0, 1e-6, 0.008, ffn, ModelConfig.Dense.DEFAULTS,
                new ModelConfig.Moe(64, 1024, 6),
                new ModelConfig.Mohge(8, 8, A3B_WIDTHS, 4, 6, ModelConfig.GroupScore.SIGMOID,
                        ModelConfig.GateMode.RENORMALISE),
                new ModelConfig.Shared(1, 2048), ModelConfig.Router.DEFAULTS);
    }

    @Test
    void referenceRoutedExpertRatioIs0_8125() {
        long mohge = ParamCount.routedExpertsPerLayer(a3b(ModelConfig.FfnType.MOHGE));
        long moe = ParamCount.routedExpertsPerLayer(a3b(ModelConfig.FfnType.MOE));
        assertEquals(163_577_856L, mohge);   // 163.58M
        assertEquals(201_326_592L, moe);     // 201.33M
        assertEquals(0.8125, (double) mohge / moe, 1e-15);
        ParamCount count = ParamCount.of(a3b(ModelConfig.FfnType.MOHGE));
        assertEquals(15 * 163_577_856L, count.total().get(ParamCount.Component.ROUTED_EXPERTS));
        // expected active routed weights: K * 3h * mean width (832) per layer
        assertEquals(15 * 6 * 3.0 * 1024 * 832, count.active().get(ParamCount.Component.ROUTED_EXPERTS), 1e-6);
        assertEquals(15L * 1024 * (8 + 64), count.total().get(ParamCount.Component.ROUTER));
        assertEquals(15L * 3 * 1024 * 2048, count.total().get(ParamCount.Component.SHARED_EXPERTS));
        assertArrayEquals(new long[] {3L * 1024 * 6 * 384, 3L * 1024 * 6 * 1280},
                ParamCount.routedActiveRange(a3b(ModelConfig.FfnType.MOHGE)));
    }

    @Test
    void totalsEqualTheBuiltGraphsTrainableSizes() {
        for (ModelConfig config : List.of(Tiny.dense(), Tiny.moe(), Tiny.mohge(),
                Tiny.mohge(ModelConfig.GroupScore.SOFTMAX, ModelConfig.GateMode.REFERENCE,
                        new ModelConfig.Shared(2, 3), new ModelConfig.Router(0, 0.01)))) {
            DecoderLM model = DecoderLM.build(config, LossConfig.DEFAULTS, 1, DataType.FLOAT);
            long actual = 0;
            for (String name : model.trainableParams()) actual += model.sameDiff().getArrForVarName(name).length();
            assertEquals(ParamCount.of(config).totalParams(), actual, config.ffn().toString());
        }
    }

    @Test
    void activeParamsOfTinyMoeByHand() {
        ParamCount c = ParamCount.of(Tiny.moe()); // V 11, D 8, 2 layers, 4 experts of width 6, top-2
        double expected = 8 + 2 * 4 * 64 + (2 * 2 * 8 + 8) + 2 * 8 * 4 + 2 * 2 * 3 * 8 * 6 + 8 * 11;
        assertEquals(expected, c.activeParams(), 1e-9);
        assertEquals(11 * 8 + 2 * 4 * 64 + 40 + 64 + 2 * 4 * 3 * 8 * 6 + 88, c.totalParams());
    }
}
