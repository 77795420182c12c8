package io.mohge.train;

/**
 * Optimisation and bookkeeping of the training loop (YAML section {@code trainer}).
 *
 * <p>One optimizer step consumes {@code batch_size x grad_accum} sequences of {@code model.seq_len} tokens.
 * The learning rate warms up linearly for {@code warmup_steps}, then follows a cosine from {@code lr} to
 * {@code min_lr} at {@code steps}.
 */
public record TrainerConfig(int steps, int batchSize, int gradAccum, double lr, double minLr, int warmupSteps,
                            double weightDecay, double beta1, double beta2, double eps, double clipNorm,
                            int logEvery, int evalEvery, int evalBatches, int checkpointEvery,
                            int keepCheckpoints) {

    public static final TrainerConfig DEFAULTS = new TrainerConfig(300, 16, 1, 3e-3, 3e-4, 20, 0.1, 0.9, 0.95,
            1e-8, 1.0, 10, 100, 8, 100, 3);

    public TrainerConfig {
        finite("lr", lr);
        finite("min_lr", minLr);
        finite("weight_decay", weightDecay);
        finite("beta1", beta1);
        finite("beta2", beta2);
        finite("eps", eps);
        finite("clip_norm", clipNorm);
        atLeast("steps", steps, 1);
        atLeast("batch_size", batchSize, 1);
        atLeast("grad_accum", gradAccum, 1);
        if (!(lr > 0)) throw new IllegalArgumentException("lr: must be positive, got " + lr);
        if (!(minLr >= 0 && minLr <= lr)) {
            throw new IllegalArgumentException("min_lr: must lie in [0, lr = " + lr + "], got " + minLr);
        }
        if (warmupSteps < 0 || warmupSteps >= steps) {
            throw new IllegalArgumentException("warmup_steps: must lie in [0, steps = " + steps + "), got " + warmupSteps);
        }
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight_decay: must be 0 or more, got " + weightDecay);
        if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1: must lie in [0, 1), got " + beta1);
        if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2: must lie in [0, 1), got " + beta2);
        if (!(eps > 0)) throw new IllegalArgumentException("eps: must be positive, got " + eps);
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clip_norm: must be 0 (no clipping) or more, got " + clipNorm);
        atLeast("log_every", logEvery, 1);
        atLeast("eval_every", evalEvery, 1);
        atLeast("eval_batches", evalBatches, 1);
        atLeast("checkpoint_every", checkpointEvery, 1);
        atLeast("keep_checkpoints", keepCheckpoints, 1);
    }

    /** Sequences per optimizer step. */
    public int sequencesPerStep() { return batchSize * gradAccum; }

    private static void finite(String key, double value) {
        if (!Double.isFinite(value)) throw new IllegalArgumentException(key + ": must be a finite number, got " + value);
    }

    private static void atLeast(String key, int value, int min) {
        if (value < min) throw new IllegalArgumentException(key + ": must be " + min + " or more, got " + value);
    }
}
