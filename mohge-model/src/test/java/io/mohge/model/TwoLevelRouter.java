package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoHGE two-level router, docs/method.md section 2 (arXiv 2604.23108). Logical expert l = g*N + j.
 * <pre>
 *   a_t = u_t W_G  [G],  sigma = sigmoid(a_t) or softmax(a_t)          W_G = {prefix}.group.weight [D, G]
 *   S_t = top-K_g groups of sigma;  p_{t,g} = sigma_g / sum_{g' in S_t} sigma_g'  (g in S_t), else 0;
 *         with K_g = 1 there is no renormalisation: p_{t,g} = sigma_g (docs/method.md section 2)
 *   b_t = u_t W_E  [E] viewed [G, N];  r_{t,g,:} = softmax(b_{t,g,:})  W_E = {prefix}.expert.weight [D, E]
 *   q_{t,g,j} = r_{t,g,j} * p_{t,g}                                      (q sums to 1 over E when K_g > 1)
 *   TopK(t) = top-K of q (+ bias) restricted to experts of groups in S_t
 *   renormalise: w = q / sum_{TopK} q;   reference: w = softmax over TopK(t) of q
 * </pre>
 * With G = 1 there is no group router (p = 1) and the layer is a plain top-k softmax MoE.
 */
final class TwoLevelRouter {

    /** Added to the selection score of experts outside the selected groups (never selected then). */
    private static final double OUTSIDE_GROUP = -1e4;

    private TwoLevelRouter() {
    }

    /**
     * @param u    [N, D] normalised token states
     * @param bias [E] selection bias (model state) or null
     */
    static Routing route(Params params, String prefix, SDVariable u, int dModel, ModelConfig.Mohge cfg,
                         SDVariable bias) {
        SameDiff sd = params.sd();
        int groups = cfg.groups();
        int perGroup = cfg.expertsPerGroup();
        int experts = cfg.experts();

        SDVariable b = sd.mmul(u, params.matrix(prefix + ".expert.weight", dModel, experts));        // [N, E]
        SDVariable r = perGroup == 1 ? sd.onesLike(b)
                : sd.reshape(sd.nn.softmax(sd.reshape(b, -1, perGroup), 1), -1, experts);          // [N, E]

        SDVariable a = null;
        SDVariable groupIdx;
        SDVariable groupMask;
        SDVariable p;
        SDVariable q;
        SDVariable scores;
        if (groups == 1) {
            groupMask = sd.onesLike(sd.sum(b, true, 1));                                            // [N, 1]
            groupIdx = sd.castTo(sd.zerosLike(groupMask), DataType.INT);                            // [N, 1]
            p = groupMask;                                                                          // [N, 1]
            q = r;                                                                                  // [N, E]
            scores = bias == null ? q : q.add(bias);                                                // [N, E]
        } else {
            a = sd.mmul(u, params.matrix(prefix + ".group.weight", dModel, groups));               // [N, G]
            SDVariable sigma = cfg.groupScore() == ModelConfig.GroupScore.SIGMOID
                    ? sd.nn.sigmoid(a) : sd.nn.softmax(a, 1);                                       // [N, G]
            groupIdx = TopKIndices.of(sd, sigma, cfg.groupTopK());                                  // [N, K_g]
            groupMask = SdUtil.selectionMask(sd, groupIdx, cfg.groupTopK(), groups, sigma);         // [N, G]
            SDVariable kept = sigma.mul(groupMask);                                                 // [N, G]
            p = cfg.groupTopK() == 1 ? kept : kept.div(sd.sum(kept, true, 1));                      // [N, G]
            SDVariable expand = params.constant(expandGroups(groups, perGroup));                    // [G, E]
            q = r.mul(sd.mmul(p, expand));                                                          // [N, E]
            scores = bias == null ? q
                    : q.add(bias).add(sd.mmul(groupMask, expand).sub(1.0).mul(-OUTSIDE_GROUP));     // [N, E]
        }
        SDVariable idx = TopKIndices.of(sd, scores, cfg.topK());                                    // [N, K]
        SDVariable mask = SdUtil.selectionMask(sd, idx, cfg.topK(), experts, q);                    // [N, E]
        SDVariable weights = cfg.gateMode() == ModelConfig.GateMode.RENORMALISE ? q : sd.math.exp(q);
        SDVariable masked = weights.mul(mask);                                                      // [N, E]
        SDVariable gates = masked.div(sd.sum(masked, true, 1));                                     // [N, E]
        return new Routing(b, a, p, groupIdx, groupMask, q, idx, mask, gates);
    }

    /** [G, G*N] with 1 at (g, g*N + j): p [N, G] x expand = p repeated for every expert of its group. */
    static org.nd4j.linalg.api.ndarray.INDArray expandGroups(int groups, int perGroup) {
        double[][] m = new double[groups][groups * perGroup];
        for (int g = 0; g < groups; g++) {
            for (int j = 0; j < perGroup; j++) m[g][g * perGroup + j] = 1;
        }
        return Nd4j.createFromArray(m);
    }
}
