package io.mohge.losses;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * Small SameDiff building blocks written by hand because the library versions are broken in ND4J 1.0.0-M2.1
 * (see docs/engine.md: {@code logSumExp(x, dim)} and {@code logSoftmax(x, dim)} break backprop).
 */
public final class SdOps {

    private SdOps() {
    }

    /** Identity in the forward pass, zero gradient in the backward pass. */
    public static SDVariable stopGradient(SameDiff sd, SDVariable x) {
        return new StopGradient(sd, x).outputVariable();
    }

    /**
     * Row-wise log-sum-exp of a matrix: {@code lse_n = m_n + log(sum_j exp(x_nj - m_n))}, m_n = max_j x_nj.
     * The max is wrapped in stopGradient: it cancels analytically, so the gradient is exactly softmax(x).
     *
     * @param x [N, C]
     * @return [N, 1]
     */
    public static SDVariable logSumExpRows(SameDiff sd, SDVariable x) {
        SDVariable max = stopGradient(sd, sd.max(x, true, 1));                 // [N, 1]
        SDVariable sumExp = sd.sum(sd.math.exp(x.sub(max)), true, 1);          // [N, 1]
        return sd.math.log(sumExp).add(max);                                   // [N, 1]
    }
}
