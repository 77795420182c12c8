package io.mohge.train;

import io.mohge.engine.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013; "clip 1.0" in the reference runs) over the flat
 * gradient buffer: norm = sqrt(sum of every g^2). When norm > maxNorm the gradient is scaled in place by
 * maxNorm / (norm + 1e-6), the same guard PyTorch's clip_grad_norm_ uses.
 */
public final class GradClip {

    private static final double GUARD = 1e-6;

    private GradClip() { }

    /**
     * Scales {@code grads} in place so that its norm is at most {@code maxNorm} (0 = no clipping). A non-finite
     * norm leaves it untouched; the caller's NaN guard decides what to do.
     *
     * @return the global norm before clipping
     */
    public static double clip(Kernels kernels, INDArray grads, double maxNorm) {
        double norm = Math.sqrt(kernels.sumOfSquares(grads));
        if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) grads.muli(maxNorm / (norm + GUARD));
        return norm;
    }
}
