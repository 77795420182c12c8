package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * Everything a router decides for the N = B*T token positions of one layer (docs/method.md section 2 names).
 * A plain top-k MoE router is the special case G = 1 (one group that every token selects, p = 1).
 *
 * @param expertLogits    [N, E] b_t = W_E u_t
 * @param groupLogits     [N, G] a_t = W_G u_t, or null when there is no group router (MoE, G = 1)
 * @param groupProbs      [N, G] p_{t,g} (renormalised over the selected groups, 0 elsewhere)
 * @param selectedGroups  [N, K_g] INT indices of S_t
 * @param groupMask       [N, G] 1 for g in S_t
 * @param q               [N, E] q_{t,e}, the router's distribution over all experts (rows sum to 1)
 * @param selectedExperts [N, K] INT indices of TopK(t), largest score first
 * @param expertMask      [N, E] 1 for e in TopK(t)
 * @param gates           [N, E] w_{t,e}, zero outside TopK(t), rows sum to 1
 */
record Routing(SDVariable expertLogits, SDVariable groupLogits, SDVariable groupProbs, SDVariable selectedGroups,
               SDVariable groupMask, SDVariable q, SDVariable selectedExperts, SDVariable expertMask,
               SDVariable gates) {
}
