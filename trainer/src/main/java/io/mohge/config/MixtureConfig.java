package io.mohge.config;

import io.mohge.model.ModelConfig;

/**
 * An asynchronous mixture of language models, SmallTalk LM (YAML section {@code mixture}; docs/smalltalk.md).
 * The experts are the run itself: each one is trained with the run's {@code model}, {@code losses} and
 * {@code trainer} sections on its own share of {@code data}, so {@code mohge train} of the same config is the dense
 * model of the same size. The routers are the small language models described by {@code router}.
 *
 * @param experts         R: number of experts, and of routers
 * @param prefixTokens    M: a sequence is routed by the log-likelihood of its first M tokens (M - 1 predictions)
 * @param emRounds        rounds of router training at most: score every prefix with every router, assign, train
 *                        each router on its sequences
 * @param emStopFraction  stop earlier when at most this fraction of the training sequences changed router in a
 *                        round (0: only when none changed)
 * @param balance         how the assignment is balanced: {@code capacity} (no router takes more than
 *                        capacity_factor x its fair share) or {@code none} (every sequence goes to its best router)
 * @param capacityFactor  with balance capacity: a router takes at most ceil(capacity_factor x sequences / R)
 *                        sequences; 1 = equal shares
 * @param dataDir         where the routers' per-round datasets and the experts' partition are written (a local path
 *                        or a Hadoop URI); empty = {@code <run.out_dir>/data}
 * @param router          the router language models
 */
public record MixtureConfig(int experts, int prefixTokens, int emRounds, double emStopFraction, Balance balance,
                            double capacityFactor, String dataDir, Router router) {

    /** Balance rule of the assignment. */
    public enum Balance { CAPACITY, NONE }

    /**
     * The router LMs (YAML section {@code mixture.router}).
     *
     * @param model   every router's model (a complete decoder LM, usually a small dense one); its seq_len is the
     *                number of leading tokens of each sequence a router trains on
     * @param trainer the routers' optimisation; {@code steps} are the steps of ONE round (the learning-rate
     *                schedule spans em_rounds x steps)
     */
    public record Router(ModelConfig model, TrainerConfig trainer) {

        public static final Router DEFAULTS = new Router(
                new ModelConfig(256, 64, 1, 2, 64, 10000.0, 1e-6, 0.02, ModelConfig.FfnType.DENSE,
                        new ModelConfig.Dense(128), ModelConfig.Moe.DEFAULTS, ModelConfig.Mohge.DEFAULTS,
                        ModelConfig.Shared.DEFAULTS, ModelConfig.Router.DEFAULTS),
                new TrainerConfig(50, 16, 1, 3e-3, 3e-4, 10, 0.1, 0.9, 0.95, 1e-8, 1.0, 10, 50, 4, 50, 2));

        public Router {
            if (model == null || trainer == null) throw new IllegalArgumentException("router: give model and trainer");
        }
    }

    public static final MixtureConfig DEFAULTS = new MixtureConfig(4, 32, 4, 0.0, Balance.CAPACITY, 1.0, "",
            Router.DEFAULTS);

    /** Largest R: assignments are stored one byte per sequence. */
    public static final int MAX_EXPERTS = 127;

    public MixtureConfig {
        if (experts < 2 || experts > MAX_EXPERTS) {
            throw new IllegalArgumentException("experts: must lie in 2.." + MAX_EXPERTS + " (one expert is the dense model: "
                    + "use mohge train), got " + experts);
        }
        if (prefixTokens < 2) {
            throw new IllegalArgumentException("prefix_tokens: must be 2 or more (a prefix of M tokens gives M - 1 "
                    + "predictions to score), got " + prefixTokens);
        }
        if (emRounds < 1) throw new IllegalArgumentException("em_rounds: must be 1 or more, got " + emRounds);
        if (!(emStopFraction >= 0 && emStopFraction < 1)) {
            throw new IllegalArgumentException("em_stop_fraction: must lie in [0, 1), got " + emStopFraction);
        }
        if (balance == null) throw new IllegalArgumentException("balance: choose capacity or none");
        if (!(capacityFactor >= 1) || Double.isInfinite(capacityFactor)) {
            throw new IllegalArgumentException("capacity_factor: must be 1 (equal shares) or more, got " + capacityFactor);
        }
        if (dataDir == null) throw new IllegalArgumentException("data_dir: use an empty string for <run.out_dir>/data");
        if (router == null) throw new IllegalArgumentException("router: missing section");
        if (prefixTokens > router.model().seqLen()) {
            throw new IllegalArgumentException("prefix_tokens: " + prefixTokens + " is longer than the sequences the "
                    + "routers train on (mixture.router.model.seq_len = " + router.model().seqLen() + "); lower "
                    + "prefix_tokens or raise mixture.router.model.seq_len");
        }
        if ((long) router.trainer().steps() * emRounds > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("em_rounds: em_rounds x mixture.router.trainer.steps exceeds "
                    + Integer.MAX_VALUE + " router steps; lower one of them");
        }
    }

    /** Router optimizer steps over all rounds: the length of the routers' learning-rate schedule. */
    public int routerSteps() {
        return router.trainer().steps() * emRounds;
    }
}
