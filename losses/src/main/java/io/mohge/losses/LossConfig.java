package io.mohge.losses;

/**
 * Coefficients of the auxiliary losses (YAML section {@code losses}); see docs/method.md sections 3, 4 and 7.
 *
 * @param groupCoef          beta of the group-wise auxiliary loss (reference 1e-5); 0 disables it
 * @param groupInterval      D in the cost weight c_g = (s_g - s_min + D) / D (reference 1024)
 * @param groupStartFraction the group-wise loss is active only for step > fraction * total_steps
 *                           (reference 0.5: second half of training; 0 = from the first step)
 * @param intraCoef          alpha of the intra-group expert auxiliary loss (reference 5e-3 / 3e-3)
 * @param switchCoef         coefficient of the Switch balance loss over all experts; 0 disables it
 * @param zCoef              coefficient of the router z-loss (ST-MoE, about 1e-3); 0 disables it
 * @param lmCoef             weight of the next-token cross-entropy in the training loss (1; 0 when self-distillation
 *                           replaces it)
 * @param distillCoef        weight of the self-distillation loss, the KL divergence from the frozen original model's
 *                           next-token distribution to the model's (needs trainer.init_from); 0 disables it
 */
public record LossConfig(double groupCoef, double groupInterval, double groupStartFraction,
                         double intraCoef, double switchCoef, double zCoef, double lmCoef, double distillCoef)
        implements java.io.Serializable {

    public static final LossConfig DEFAULTS = new LossConfig(1e-5, 1024, 0.5, 3e-3, 0.0, 0.0, 1.0, 0.0);

    public LossConfig {
        nonNegative("group_coef", groupCoef);
        if (!(groupInterval > 0 && groupInterval < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("group_interval: must be positive and finite (the reference uses 1024), got "
                    + groupInterval);
        }
        if (!(groupStartFraction >= 0 && groupStartFraction <= 1)) {
            throw new IllegalArgumentException("group_start_fraction: must lie in [0, 1] (0.5 = second half of "
                    + "training, 0 = from the start), got " + groupStartFraction);
        }
        nonNegative("intra_coef", intraCoef);
        nonNegative("switch_coef", switchCoef);
        nonNegative("z_coef", zCoef);
        nonNegative("lm_coef", lmCoef);
        nonNegative("distill_coef", distillCoef);
        if (lmCoef == 0 && distillCoef == 0) {
            throw new IllegalArgumentException("lm_coef: 0 together with distill_coef = 0 leaves nothing to learn from; "
                    + "set lm_coef: 1, or distill_coef > 0 to train on the original model's distribution");
        }
    }

    /** Coefficients without self-distillation (lm_coef 1, distill_coef 0). */
    public LossConfig(double groupCoef, double groupInterval, double groupStartFraction, double intraCoef,
                      double switchCoef, double zCoef) {
        this(groupCoef, groupInterval, groupStartFraction, intraCoef, switchCoef, zCoef, 1.0, 0.0);
    }

    /** True when the training loss is not the plain cross-entropy (weighted, or with self-distillation). */
    public boolean hasDistillation() {
        return distillCoef > 0;
    }

    private static void nonNegative(String key, double value) {
        if (!(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(key + ": must be a finite number, 0 or more, got " + value);
        }
    }
}
