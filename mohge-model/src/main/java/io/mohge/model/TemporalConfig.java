package io.mohge.model;

/**
 * Temporally extended routing (YAML section {@code model.temporal}; docs/temporal.md): a per-layer switch
 * controller decides for every token whether the routed layer re-routes (the two-level router picks a new expert
 * set) or keeps the previous token's expert set and only recomputes the gates over it. Switching is charged a
 * deliberation cost.
 *
 * @param controller       add the switch controller to every routed layer (false: the plain router, unchanged)
 * @param deliberationCost c, nats of training loss charged per switch decision: the loss gains
 *                         c x (switch decisions / decision positions), summed over layers
 * @param estimator        how the controller's gradient is estimated (see {@link Estimator})
 * @param initSwitchProb   the controller's switch probability before training (its bias is initialised to
 *                         logit(init_switch_prob), its weights small), so a converted model starts close to the
 *                         model it came from
 */
public record TemporalConfig(boolean controller, double deliberationCost, Estimator estimator, double initSwitchProb)
        implements java.io.Serializable {

    /** No controller: every token is routed by the two-level router. */
    public static final TemporalConfig DEFAULTS = new TemporalConfig(false, 0.0, Estimator.REINFORCE, 0.95);

    /**
     * REINFORCE: during training the switch decisions are sampled from the controller's probabilities and its
     * gradient is the score-function estimate with the sequence's loss-to-go as the return and a leave-one-out
     * baseline over the batch's sequences (unbiased for the expected loss plus deliberation cost).
     */
    public enum Estimator { REINFORCE }

    public TemporalConfig {
        if (!(deliberationCost >= 0 && Double.isFinite(deliberationCost))) {
            throw new IllegalArgumentException("deliberation_cost: must be a finite number, 0 or more (nats per switch), "
                    + "got " + deliberationCost);
        }
        if (deliberationCost > 0 && !controller) {
            throw new IllegalArgumentException("deliberation_cost: " + deliberationCost + " charges the switches of a "
                    + "controller, but controller is false; set controller: true or deliberation_cost: 0");
        }
        if (estimator == null) throw new IllegalArgumentException("estimator: choose reinforce");
        if (!(initSwitchProb > 0 && initSwitchProb < 1)) {
            throw new IllegalArgumentException("init_switch_prob: must lie strictly between 0 and 1 (e.g. 0.95), got "
                    + initSwitchProb);
        }
    }

    /** The controller bias that gives {@link #initSwitchProb} at zero input: logit(p). */
    public double initBias() {
        return Math.log(initSwitchProb / (1 - initSwitchProb));
    }
}
