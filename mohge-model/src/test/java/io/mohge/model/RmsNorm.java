package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;

/** RMSNorm (Zhang and Sennrich 2019): {@code y = x / sqrt(mean_j x_j^2 + eps) * g}, gain g initialised to 1. */
final class RmsNorm {

    private RmsNorm() {
    }

    /**
     * @param name parameter name of the gain [D], e.g. {@code layers.0.attention_norm.weight}
     * @param x    [N, D]
     * @return [N, D]
     */
    static SDVariable apply(Params params, String name, SDVariable x, int dModel, double eps) {
        SDVariable gain = params.normWeight(name, dModel);                                     // [D]
        SDVariable meanSquare = params.sd().mean(x.mul(x), true, 1);                           // [N, 1]
        return x.mul(params.sd().math.rsqrt(meanSquare.add(eps))).mul(gain);                   // [N, D]
    }
}
