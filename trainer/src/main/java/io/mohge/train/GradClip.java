package io.mohge.train;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * Global-norm gradient clipping (Pascanu et al. 2013; the "clip 1.0" of METHOD.md section 8).
 *
 * <p>norm = sqrt(sum over every gradient tensor of sum(g^2)). When norm > maxNorm every gradient is scaled
 * in place by maxNorm / (norm + 1e-6), the same guard PyTorch's clip_grad_norm_ uses. The squared sums are
 * accumulated in double.
 */
public final class GradClip {

    private static final double GUARD = 1e-6;

    private GradClip() { }

    /** L2 norm of all gradients taken together. */
    public static double globalNorm(Collection<INDArray> grads) {
        double sumSq = 0;
        for (INDArray g : grads) {
            double n = g.norm2Number().doubleValue();
            sumSq += n * n;
        }
        return Math.sqrt(sumSq);
    }

    /**
     * Scales the gradients in place so that their global norm is at most {@code maxNorm} (0 = no clipping).
     * A non-finite norm leaves the gradients untouched; the caller's NaN guard decides what to do.
     *
     * @return the global norm before clipping
     */
    public static double clip(Collection<INDArray> grads, double maxNorm) {
        double norm = globalNorm(grads);
        if (maxNorm > 0 && Double.isFinite(norm) && norm > maxNorm) {
            double scale = maxNorm / (norm + GUARD);
            for (INDArray g : grads) g.muli(scale);
        }
        return norm;
    }
}
