package io.mohge.model;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.mohge.losses.LossConfig;

/** Tiny configurations and batches shared by the model tests (B = 2, T = 4, D = 8, V = 11). */
final class Tiny {

    static final int BATCH = 2;
    static final int SEQ = 4;
    static final int VOCAB = 11;

    /** Every auxiliary term switched on with a large coefficient so its gradient is visible. */
    static final LossConfig ALL_LOSSES = new LossConfig(0.1, 4, 0.5, 0.1, 0.1, 0.01);

    private Tiny() {
    }

    static ModelConfig dense() {
        return config(ModelConfig.FfnType.DENSE, ModelConfig.Moe.DEFAULTS, ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
    }

    static ModelConfig moe() {
        return config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(4, 6, 2), ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS);
    }

    static ModelConfig mohge(ModelConfig.GroupScore score, ModelConfig.GateMode gate, ModelConfig.Shared shared,
                             ModelConfig.Router router) {
        return config(ModelConfig.FfnType.MOHGE, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(3, 2, List.of(4, 6, 8), 2, 3, score, gate), shared, router);
    }

    static ModelConfig mohge() {
        return mohge(ModelConfig.GroupScore.SIGMOID, ModelConfig.GateMode.RENORMALISE, ModelConfig.Shared.DEFAULTS,
                ModelConfig.Router.DEFAULTS);
    }

    static ModelConfig config(ModelConfig.FfnType ffn, ModelConfig.Moe moe, ModelConfig.Mohge mohge,
                              ModelConfig.Shared shared, ModelConfig.Router router) {
        return new ModelConfig(VOCAB, 8, 2, 2, SEQ, 10000.0, 1e-6, 0.3, ffn, new ModelConfig.Dense(12), moe, mohge,
                shared, router);
    }

    /** Random tokens, targets = tokens shifted, last position of the second row masked as padding. */
    static Map<String, INDArray> batch(DecoderLM model, long seed, double groupAuxScale) {
        Random random = new Random(seed);
        int[][] tokens = new int[BATCH][SEQ];
        int[][] targets = new int[BATCH][SEQ];
        double[][] mask = new double[BATCH][SEQ];
        for (int b = 0; b < BATCH; b++) {
            for (int t = 0; t < SEQ; t++) {
                tokens[b][t] = random.nextInt(VOCAB);
                targets[b][t] = random.nextInt(VOCAB);
                mask[b][t] = 1;
            }
        }
        mask[1][SEQ - 1] = 0;
        return model.feed(Nd4j.createFromArray(tokens), Nd4j.createFromArray(targets), Nd4j.createFromArray(mask),
                groupAuxScale);
    }
}
