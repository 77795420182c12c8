package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * SwiGLU feed-forward block (Shazeer 2020), no biases; used for the dense FFN, every routed expert and the
 * shared expert (docs/method.md section 1: 3 * h * width weights):
 * {@code y = (silu(x W1) * (x W3)) W2} with W1, W3 [D, F] and W2 [F, D] stored as
 * {@code <prefix>.w1.weight}, {@code <prefix>.w3.weight}, {@code <prefix>.w2.weight}.
 */
final class SwiGluFfn {

    private final SDVariable w1;
    private final SDVariable w2;
    private final SDVariable w3;

    SwiGluFfn(Params params, String prefix, int dModel, int width) {
        this.w1 = params.matrix(prefix + ".w1.weight", dModel, width);
        this.w2 = params.matrix(prefix + ".w2.weight", width, dModel);
        this.w3 = params.matrix(prefix + ".w3.weight", dModel, width);
    }

    /**
     * @param x [M, D]
     * @return [M, D]; a zero row maps to a zero row (no biases)
     */
    SDVariable apply(SameDiff sd, SDVariable x) {
        SDVariable a = sd.mmul(x, w1);                                 // [M, F]
        SDVariable gate = a.mul(sd.nn.sigmoid(a));                     // silu, [M, F]
        return sd.mmul(gate.mul(sd.mmul(x, w3)), w2);                  // [M, D]
    }
}
