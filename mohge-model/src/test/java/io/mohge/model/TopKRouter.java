package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Standard top-k softmax router of a MoE layer (Shazeer et al. 2017; Mixtral-style renormalised gates):
 * <pre>
 *   probs_t = softmax(u_t W_E)                          W_E = {prefix}.expert.weight [D, E]
 *   TopK(t) = top-k of probs_t + bias                   (bias only when aux-loss-free balancing is on)
 *   w_{t,e} = probs_{t,e} / sum_{e' in TopK(t)} probs_{t,e'}  for e in TopK(t)
 * </pre>
 * With k = 1 the gate is always 1 and the router receives no gradient from the LM loss (only from aux terms).
 */
final class TopKRouter {

    private TopKRouter() {
    }

    /**
     * @param u    [N, D] normalised token states
     * @param bias [E] selection bias (model state) or null
     */
    static Routing route(Params params, String prefix, SDVariable u, int dModel, int experts, int topK,
                         SDVariable bias) {
        SameDiff sd = params.sd();
        SDVariable logits = sd.mmul(u, params.matrix(prefix + ".expert.weight", dModel, experts));   // [N, E]
        SDVariable probs = sd.nn.softmax(logits, 1);                                                 // [N, E]
        SDVariable scores = bias == null ? probs : probs.add(bias);                                  // [N, E]
        SDVariable idx = TopKIndices.of(sd, scores, topK);                                           // [N, K]
        SDVariable mask = SdUtil.selectionMask(sd, idx, topK, experts, probs);                       // [N, E]
        SDVariable masked = probs.mul(mask);                                                         // [N, E]
        SDVariable gates = masked.div(sd.sum(masked, true, 1));                                      // [N, E]
        SDVariable ones = sd.onesLike(sd.sum(logits, true, 1));                                      // [N, 1]
        SDVariable noGroup = sd.castTo(sd.zerosLike(ones), DataType.INT);                            // [N, 1]
        return new Routing(logits, null, ones, noGroup, ones, probs, idx, mask, gates);
    }
}
