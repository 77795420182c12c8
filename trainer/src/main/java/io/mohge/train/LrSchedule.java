package io.mohge.train;

import io.mohge.config.TrainerConfig;
/**
 * Learning rate per optimizer step: linear warmup, then a half cosine from {@code lr} down to {@code min_lr}
 * (the schedule of the reference runs, docs/method.md section 8: "lr 3e-4 cosine to 3e-5").
 *
 * <p>Steps are counted from 1 (the first update is step 1):
 * <pre>
 *   s <= W:  lr(s) = lr * s / W
 *   s >  W:  lr(s) = min_lr + (lr - min_lr) * (1 + cos(pi * (s - W) / (S - W))) / 2
 * </pre>
 * with W = warmup_steps and S = steps, so lr(W) = lr and lr(S) = min_lr. Steps beyond S stay at min_lr.
 */
public final class LrSchedule {

    private final double peak;
    private final double min;
    private final int warmup;
    private final int steps;

    public LrSchedule(double peak, double min, int warmup, int steps) {
        if (!(peak > 0) || !(min >= 0 && min <= peak)) {
            throw new IllegalArgumentException("lr: need 0 <= min_lr <= lr and lr > 0, got lr = " + peak + ", min_lr = " + min);
        }
        if (warmup < 0 || warmup >= steps) {
            throw new IllegalArgumentException("warmup_steps: must lie in [0, steps = " + steps + "), got " + warmup);
        }
        this.peak = peak;
        this.min = min;
        this.warmup = warmup;
        this.steps = steps;
    }

    public static LrSchedule of(TrainerConfig c) {
        return new LrSchedule(c.lr(), c.minLr(), c.warmupSteps(), c.steps());
    }

    /** Learning rate of optimizer step {@code step} (1-based). */
    public double at(long step) {
        if (step < 1) throw new IllegalArgumentException("step: counts from 1, got " + step);
        if (step <= warmup) return peak * step / warmup;
        if (step >= steps) return min;
        double progress = (double) (step - warmup) / (steps - warmup);
        return min + (peak - min) * 0.5 * (1.0 + Math.cos(Math.PI * progress));
    }
}
