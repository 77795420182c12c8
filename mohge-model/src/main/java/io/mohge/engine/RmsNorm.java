package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RMSNorm (Zhang and Sennrich 2019) over rows of [N, D]:
 * <pre>
 *   r  = 1 / sqrt(mean_j x_j^2 + eps)          [N]
 *   y  = x * r * g                             [N, D]
 *   backward, with gy = dy * g:
 *   dx = r * gy - x * r^3 * mean_j(gy_j x_j)
 *   dg = sum_n dy * x * r
 * </pre>
 */
final class RmsNorm {

    private final ParamStore params;
    private final Kernels kernels;
    private final INDArray gain;   // [D] parameter view
    private final INDArray grad;   // [D] its gradient
    private final double eps;
    private INDArray x;      // [N, D] input of the last forward (the caller's buffer)
    private INDArray y;      // [N, D]
    private INDArray r;      // [N]

    RmsNorm(ParamStore params, Kernels kernels, String name, double eps) {
        this.params = params;
        this.kernels = kernels;
        this.gain = params.param(name);
        this.grad = params.grad(name);
        this.eps = eps;
    }

    void allocate(int n, int d) {
        y = Ops.zeros(params.dtype(), n, d);
        r = Ops.zeros(params.dtype(), n);
    }

    /** @return y [N, D] (owned by this layer, valid until the next forward) */
    INDArray forward(INDArray input) {
        x = input;
        kernels.rmsNorm(x, gain, eps, y, r);
        return y;
    }

    /** Adds this norm's input gradient to {@code dxAcc} and its gain gradient to the gradient buffer. */
    void backward(INDArray dy, INDArray dxAcc) {
        kernels.rmsNormBackward(dy, x, gain, r, dxAcc, grad);
    }
}
