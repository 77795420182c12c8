package io.mohge.losses;

import java.util.List;

/** Names of the scalar loss outputs every MoHGE-J training graph exposes (one per logged term). */
public final class LossNames {

    /**
     * Total training loss: lm_loss + group_aux + intra_aux + switch_aux + z_loss (docs/method.md section 5); with
     * temporal routing or self-distillation lm_coef x lm_loss + distill_coef x distill_kl + the auxiliary terms +
     * delib_cost.
     */
    public static final String TOTAL = "loss";
    /** Masked mean next-token cross-entropy. */
    public static final String LM = "lm_loss";
    /** Group-wise auxiliary loss summed over layers (docs/method.md section 3), already scaled by group_aux_scale. */
    public static final String GROUP_AUX = "group_aux";
    /** Intra-group expert auxiliary loss summed over layers (docs/method.md section 4). */
    public static final String INTRA_AUX = "intra_aux";
    /** Switch load-balancing loss over all experts, summed over layers (docs/method.md section 7). */
    public static final String SWITCH_AUX = "switch_aux";
    /** Router z-loss summed over layers (ST-MoE; docs/method.md section 7). */
    public static final String Z_LOSS = "z_loss";

    /**
     * Deliberation cost of the switch controllers, c x (switch decisions / decision positions) summed over layers
     * (docs/temporal.md); reported only by models with a controller, not part of {@link #ALL}.
     */
    public static final String DELIB_COST = "delib_cost";
    /** Self-distillation KL to the frozen original model (losses.distill_coef > 0); not part of {@link #ALL}. */
    public static final String DISTILL = "distill_kl";

    /** All loss terms in logging order, total first. */
    public static final List<String> ALL = List.of(TOTAL, LM, GROUP_AUX, INTRA_AUX, SWITCH_AUX, Z_LOSS);

    private LossNames() {
    }
}
