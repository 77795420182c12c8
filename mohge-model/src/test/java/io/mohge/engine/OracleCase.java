package io.mohge.engine;

import java.util.List;
import java.util.Random;

import io.mohge.losses.LossConfig;
import io.mohge.model.ModelConfig;
import io.mohge.model.ModelConfig.GateMode;
import io.mohge.model.ModelConfig.GroupScore;

/**
 * Small model configurations for comparing the engine with the SameDiff oracle: B = 3 sequences of T = 6
 * tokens, D = 8, 2 heads, V = 11, 2 layers, and every auxiliary loss on with a visible coefficient.
 */
record OracleCase(String name, ModelConfig model, LossConfig losses, double biasOnExpert0) {

    static final int BATCH = 3;
    static final int SEQ = 6;
    static final int VOCAB = 11;
    static final LossConfig ALL_LOSSES = new LossConfig(0.1, 4, 0.5, 0.1, 0.1, 0.01);

    @Override
    public String toString() {
        return name;
    }

    static ModelConfig config(ModelConfig.FfnType ffn, ModelConfig.Moe moe, ModelConfig.Mohge mohge,
                              ModelConfig.Shared shared, ModelConfig.Router router) {
        return new ModelConfig(VOCAB, 8, 2, 2, SEQ, 10000.0, 1e-6, 0.3, ffn, new ModelConfig.Dense(12), moe, mohge,
                shared, router);
    }

    static ModelConfig mohge(int groups, int perGroup, List<Integer> widths, int groupTopK, int topK, GroupScore score,
                             GateMode gate, ModelConfig.Shared shared, ModelConfig.Router router) {
        return config(ModelConfig.FfnType.MOHGE, ModelConfig.Moe.DEFAULTS,
                new ModelConfig.Mohge(groups, perGroup, widths, groupTopK, topK, score, gate), shared, router);
    }

    static ModelConfig moe(int experts, int width, int topK, ModelConfig.Router router) {
        return config(ModelConfig.FfnType.MOE, new ModelConfig.Moe(experts, width, topK), ModelConfig.Mohge.DEFAULTS,
                ModelConfig.Shared.DEFAULTS, router);
    }

    /** Every FFN type, router, gate mode and edge case the engine must reproduce. */
    static List<OracleCase> all() {
        ModelConfig.Shared none = ModelConfig.Shared.DEFAULTS;
        ModelConfig.Router plain = ModelConfig.Router.DEFAULTS;
        List<Integer> w3 = List.of(4, 6, 8);
        return List.of(
                new OracleCase("dense", config(ModelConfig.FfnType.DENSE, ModelConfig.Moe.DEFAULTS,
                        ModelConfig.Mohge.DEFAULTS, none, plain), ALL_LOSSES, 0),
                new OracleCase("moe top-2", moe(4, 6, 2, plain), ALL_LOSSES, 0),
                new OracleCase("moe top-1", moe(4, 6, 1, plain), ALL_LOSSES, 0),
                new OracleCase("mohge sigmoid renormalise", mohge(3, 2, w3, 2, 3, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge softmax reference", mohge(3, 2, w3, 2, 3, GroupScore.SOFTMAX,
                        GateMode.REFERENCE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge shared experts", mohge(3, 2, w3, 2, 2, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, new ModelConfig.Shared(2, 3), plain), ALL_LOSSES, 0),
                new OracleCase("mohge top-1", mohge(3, 2, w3, 2, 1, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge group_top_k 1 reference", mohge(3, 2, w3, 1, 2, GroupScore.SIGMOID,
                        GateMode.REFERENCE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge group_top_k 1 softmax", mohge(3, 2, w3, 1, 1, GroupScore.SOFTMAX,
                        GateMode.RENORMALISE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge one expert per group", mohge(4, 1, List.of(4, 5, 6, 7), 2, 2,
                        GroupScore.SIGMOID, GateMode.RENORMALISE, none, plain), ALL_LOSSES, 0),
                new OracleCase("mohge one group", mohge(1, 4, List.of(6), 1, 2, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, none, plain), ALL_LOSSES, 0),
                // a large selection bias on expert 0: every token picks it, capacity ceil(18*2/4) = 9 drops the rest
                new OracleCase("moe capacity drops", moe(4, 6, 2, new ModelConfig.Router(1.0, 0.01)), ALL_LOSSES, 5.0),
                // top-1 with a large bias on expert 0: every token picks it, experts 1..3 get no token at all
                new OracleCase("moe idle experts", moe(4, 6, 1, new ModelConfig.Router(0.0, 0.01)), ALL_LOSSES, 5.0),
                new OracleCase("mohge with bias", mohge(3, 2, w3, 2, 2, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, none, new ModelConfig.Router(0.0, 0.01)), ALL_LOSSES, 0.3),
                new OracleCase("mohge losses off", mohge(3, 2, w3, 2, 3, GroupScore.SIGMOID,
                        GateMode.RENORMALISE, none, plain), new LossConfig(0, 4, 0.5, 0, 0, 0), 0));
    }

    /** Random tokens and targets, the last position of the second sequence masked as padding. */
    static Batch batch(long seed) {
        Random random = new Random(seed);
        int n = BATCH * SEQ;
        int[] tokens = new int[n];
        int[] targets = new int[n];
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(VOCAB);
            targets[i] = random.nextInt(VOCAB);
            mask[i] = 1;
        }
        mask[2 * SEQ - 1] = 0;
        return new Batch(BATCH, SEQ, tokens, targets, mask);
    }
}
