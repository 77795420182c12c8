package io.mohge.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Next-token cross-entropy written by hand (docs/engine.md: the library's softmaxCrossEntropy ignores the
 * incoming gradient, and logSoftmax(x, dim) breaks backprop in ND4J 1.0.0-M2.1).
 */
public final class LmLoss {

    private LmLoss() {
    }

    /**
     * Masked mean cross-entropy (docs/method.md section 5, L_LM):
     * <pre>
     *   log p(y_n) = x_{n,y_n} - logsumexp_j(x_{n,j})         (log-softmax by hand, max under stopGradient)
     *   L_LM      = - sum_n mask_n * log p(y_n) / max(1, sum_n mask_n)
     * </pre>
     * Positions with mask 0 (padding) contribute neither to the sum nor to the count; an all-zero mask gives 0.
     *
     * @param logits  [N, V] float logits (N = B*T flattened positions)
     * @param targets [N] integer next-token ids in [0, V)
     * @param mask    [N] 1 = position counted, 0 = padding (same dtype as the logits)
     * @param vocab   V
     * @return scalar loss
     */
    public static SDVariable crossEntropy(SameDiff sd, SDVariable logits, SDVariable targets, SDVariable mask,
                                          int vocab) {
        SDVariable lse = SdOps.logSumExpRows(sd, logits);                                   // [N, 1]
        SDVariable oneHot = sd.oneHot(targets, vocab, -1, 1.0, 0.0, logits.dataType());     // [N, V]
        SDVariable targetLogit = sd.sum(oneHot.mul(logits), true, 1);                      // [N, 1]
        SDVariable nll = sd.reshape(lse.sub(targetLogit), -1);                             // [N]
        SDVariable counted = sd.scalarMax(sd.sum(mask), 1.0);                              // scalar
        return sd.sum(nll.mul(mask)).div(counted);                                         // scalar
    }
}
