package io.mohge.losses;

import java.util.List;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Router auxiliary losses of one MoE / MoHGE layer as pure functions on SameDiff variables. Every function
 * averages over the N token positions of the batch that the layer routed (N = B*T), returns a scalar and
 * already includes its coefficient. Selection masks are treated as constants (stopGradient): counts are not
 * differentiable. The plain-Java twins in {@link LossReference} are the hand-computed test oracles.
 *
 * <p>ND4J 1.0.0-M2.1 throws a NullPointerException for reductions along an axis of size 1, so a batch must hold
 * at least two token positions and every logit matrix at least two columns (a MoHGE layer with G = 1 therefore
 * leaves its group terms out; see the model's TwoLevelRouter).
 */
public final class AuxLosses {

    private AuxLosses() {
    }

    /**
     * Group-wise auxiliary loss, docs/method.md section 3 (MoHGE, arXiv 2604.23108):
     * <pre>
     *   P_g = (1/N) sum_t softmax(a_t)_g      (softmax of the group logits even when routing uses sigmoid)
     *   f_g = n_g / (N * K_g)                 (n_g = tokens whose selected groups contain g; constant)
     *   L_group = beta * G * sum_g c_g * P_g * f_g
     * </pre>
     * Uniform routing gives beta * mean(c) (1.4375 beta for the reference widths).
     *
     * @param groupLogits   [N, G] a_t = W_G u_t
     * @param groupSelected [N, G] 1 where g is in S_t, else 0
     * @param cost          c_g, length G (see {@link RouterLosses#costWeights})
     * @param groupTopK     K_g
     * @param beta          coefficient (group_coef)
     */
    public static SDVariable groupAux(SameDiff sd, SDVariable groupLogits, SDVariable groupSelected,
                                      double[] cost, int groupTopK, double beta) {
        SDVariable probs = sd.nn.softmax(groupLogits, 1);                                          // [N, G]
        SDVariable p = sd.mean(probs, 0);                                                          // [G]
        SDVariable f = sd.mean(SdOps.stopGradient(sd, groupSelected), 0).div(groupTopK);         // [G]
        SDVariable c = sd.constant(Nd4j.createFromArray(cost).castTo(groupLogits.dataType()));   // [G]
        return sd.sum(c.mul(p).mul(f)).mul(beta * cost.length);
    }

    /**
     * Intra-group expert auxiliary loss, docs/method.md section 4:
     * <pre>
     *   P_e = (1/N) sum_t w_{t,e}              (final sparse gates)
     *   f_e = n_e / (N * K)                    (n_e = tokens routed to expert e; constant)
     *   L_intra = alpha * (N_g * K_g) * sum_e P_e * f_e        (N_g = experts per group)
     * </pre>
     * Perfect balance gives alpha * K_g / G; with G = 1, K_g = 1 it is the Switch form alpha * E * sum f P.
     *
     * @param gates          [N, E] gates w (zero for unselected experts)
     * @param expertSelected [N, E] 1 where expert e is in TopK(t)
     */
    public static SDVariable intraAux(SameDiff sd, SDVariable gates, SDVariable expertSelected,
                                      int expertsPerGroup, int groupTopK, int topK, double alpha) {
        SDVariable p = sd.mean(gates, 0);                                                          // [E]
        SDVariable f = sd.mean(SdOps.stopGradient(sd, expertSelected), 0).div(topK);             // [E]
        return sd.sum(p.mul(f)).mul(alpha * expertsPerGroup * groupTopK);
    }

    /**
     * Switch Transformer load-balancing loss over all E experts (Fedus et al. 2021; docs/method.md section 7):
     * {@code L_switch = coef * E * sum_e f_e * P_e}, f_e = n_e / (N * K), P_e = mean_t probs_{t,e} with probs the
     * full (dense) router distribution over experts (softmax for MoE, q for MoHGE). Uniform routing gives coef.
     *
     * @param probs          [N, E] router probabilities, rows sum to 1
     * @param expertSelected [N, E] 1 where expert e is in TopK(t)
     * @param experts        E
     */
    public static SDVariable switchAux(SameDiff sd, SDVariable probs, SDVariable expertSelected, int experts,
                                       int topK, double coef) {
        SDVariable p = sd.mean(probs, 0);                                                          // [E]
        SDVariable f = sd.mean(SdOps.stopGradient(sd, expertSelected), 0).div(topK);             // [E]
        return sd.sum(p.mul(f)).mul(coef * experts);
    }

    /**
     * Router z-loss (Zoph et al. 2022, ST-MoE; docs/method.md section 7):
     * {@code L_z = coef * sum_over_logit_sets (1/N) sum_t logsumexp(x_t)^2}, logsumexp by hand.
     * A MoE layer passes its expert logits; a MoHGE layer passes its group logits and its expert logits.
     *
     * @param logits one or more [N, C] logit matrices of the same layer
     */
    public static SDVariable zLoss(SameDiff sd, double coef, SDVariable... logits) {
        if (logits.length == 0) throw new IllegalArgumentException("z_coef: z-loss needs at least one logit matrix");
        SDVariable total = null;
        for (SDVariable x : logits) {
            SDVariable lse = SdOps.logSumExpRows(sd, x);                                           // [N, 1]
            SDVariable term = sd.mean(lse.mul(lse));                                               // scalar
            total = total == null ? term : total.add(term);
        }
        return total.mul(coef);
    }
}
