package io.mohge.config;

import java.util.List;

/**
 * Optimisation and bookkeeping of the training loop (YAML section {@code trainer}).
 *
 * <p>One optimizer step consumes {@code batch_size x grad_accum} sequences of {@code model.seq_len} tokens.
 * The learning rate warms up linearly for {@code warmup_steps}, then follows a cosine from {@code lr} to
 * {@code min_lr} at {@code steps}.
 *
 * <p>Conversion of a trained model (docs/temporal.md): {@code init_from} names a checkpoint whose weights
 * start the run (parameters the checkpoint lacks, the switch controllers, start fresh) and which serves as the frozen
 * teacher of self-distillation; {@code trainable} lists the parameter groups the run updates, the others stay exactly
 * as loaded (no gradient, no weight decay).
 *
 * @param initFrom  a checkpoint directory to start from ("" = fresh initialisation)
 * @param trainable parameter groups to train: {@code all}, or any of {@link #GROUPS} but all
 * @param controllerLr peak learning rate of the switch controllers (0 = {@code lr}); it follows the same warm-up and
 *                  cosine as {@code lr}, scaled by controller_lr / lr. A joint conversion trains the network gently
 *                  (small lr) while the controllers, a few hundred parameters, must move far from their
 *                  initialisation within the run
 */
public record TrainerConfig(int steps, int batchSize, int gradAccum, double lr, double minLr, int warmupSteps,
                            double weightDecay, double beta1, double beta2, double eps, double clipNorm,
                            int logEvery, int evalEvery, int evalBatches, int checkpointEvery,
                            int keepCheckpoints, String initFrom, List<String> trainable,
                            double controllerLr) {

    /** Parameter groups of {@code trainable}: every parameter belongs to exactly one group but {@code all}. */
    public static final List<String> GROUPS = List.of("all", "controller", "routers", "ffn", "attention", "norms",
            "embedding", "output");

    public static final TrainerConfig DEFAULTS = new TrainerConfig(300, 16, 1, 3e-3, 3e-4, 20, 0.1, 0.9, 0.95,
            1e-8, 1.0, 10, 100, 8, 100, 3, "", List.of("all"), 0.0);

    /** A run trained from scratch, every parameter trainable. */
    public TrainerConfig(int steps, int batchSize, int gradAccum, double lr, double minLr, int warmupSteps,
                         double weightDecay, double beta1, double beta2, double eps, double clipNorm, int logEvery,
                         int evalEvery, int evalBatches, int checkpointEvery, int keepCheckpoints) {
        this(steps, batchSize, gradAccum, lr, minLr, warmupSteps, weightDecay, beta1, beta2, eps, clipNorm, logEvery,
                evalEvery, evalBatches, checkpointEvery, keepCheckpoints, "", List.of("all"), 0.0);
    }

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
        if (initFrom == null) throw new IllegalArgumentException("init_from: give a checkpoint directory, or \"\" for none");
        if (trainable == null || trainable.isEmpty()) {
            throw new IllegalArgumentException("trainable: name at least one parameter group (" + String.join(", ", GROUPS)
                    + "), e.g. [all] or [controller]");
        }
        trainable = List.copyOf(trainable);
        for (String g : trainable) {
            if (!GROUPS.contains(g)) {
                throw new IllegalArgumentException("trainable: unknown parameter group '" + g + "'; choose among "
                        + String.join(", ", GROUPS));
            }
        }
        if (trainable.contains("all") && trainable.size() > 1) {
            throw new IllegalArgumentException("trainable: 'all' already names every group; give [all] alone, or list "
                    + "the groups without it, got " + trainable);
        }
        if (trainable.stream().distinct().count() != trainable.size()) {
            throw new IllegalArgumentException("trainable: a group is listed twice in " + trainable);
        }
        finite("controller_lr", controllerLr);
        if (controllerLr < 0) {
            throw new IllegalArgumentException("controller_lr: must be 0 (= lr) or positive, got " + controllerLr);
        }
        if (controllerLr > 0 && !trainable.contains("all") && !trainable.contains("controller")) {
            throw new IllegalArgumentException("controller_lr: " + controllerLr + " sets the learning rate of the switch "
                    + "controllers, but trainable = " + trainable + " freezes them; add 'controller' or set controller_lr: 0");
        }
    }

    /** The controllers' learning rate relative to every other parameter's: controller_lr / lr (1 when unset). */
    public double controllerLrScale() {
        return controllerLr == 0 ? 1.0 : controllerLr / lr;
    }

    /** True when every parameter trains. */
    public boolean trainsAll() {
        return trainable.contains("all");
    }

    /** True when only the switch controllers train (the network's backward can be skipped). */
    public boolean trainsControllersOnly() {
        return trainable.equals(List.of("controller"));
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
