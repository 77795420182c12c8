package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Final RMSNorm, output projection ({@code output.weight} [D, V]) and the masked next-token cross-entropy:
 * <pre>
 *   logits = RMSNorm(x) W_out                                   [N, V]
 *   L_LM   = - sum_n m_n log softmax(logits_n)[y_n] / max(1, sum_n m_n)
 *   dlogits_n = m_n (softmax(logits_n) - onehot(y_n)) / max(1, sum m)
 * </pre>
 */
final class LmHead {

    static final String WEIGHT = "output.weight";

    private final ParamStore params;
    private final Kernels kernels;
    private final RmsNorm norm;
    private final Mat weight;   // [D, V]
    private final Mat grad;
    private INDArray xf;        // [N, D] normalised input of the last forward
    private INDArray logits;    // [N, V]
    private INDArray dlogits;   // [N, V] for a loss of weight 1
    private INDArray dxf;       // [N, D]

    LmHead(ParamStore params, Kernels kernels, String normName, double eps) {
        this.params = params;
        this.kernels = kernels;
        this.norm = new RmsNorm(params, kernels, normName, eps);
        this.weight = params.paramMat(WEIGHT);
        this.grad = params.gradMat(WEIGHT);
    }

    void allocate(int n, int d, int vocab) {
        norm.allocate(n, d);
        var dt = params.dtype();
        logits = Ops.zeros(dt, n, vocab);
        dlogits = Ops.zeros(dt, n, vocab);
        dxf = Ops.zeros(dt, n, d);
    }

    /** @return logits [N, V] (owned by this layer, valid until the next forward) */
    INDArray logits(INDArray x) {
        xf = norm.forward(x);
        kernels.gemm(Mat.of(xf), false, weight, false, Mat.of(logits), 0);
        return logits;
    }

    /**
     * @param withGradient also compute dL/dlogits for a following {@link #backward}
     * @return L_LM of the batch
     */
    double forward(INDArray x, Batch b, boolean withGradient) {
        logits(x);
        double counted = 0;
        for (double m : b.mask()) counted += m;
        counted = Math.max(1.0, counted);
        double[] weights = new double[b.positions()];
        for (int i = 0; i < weights.length; i++) weights[i] = b.mask()[i] / counted;
        return kernels.crossEntropy(logits, b.targets(), weights, withGradient ? dlogits : null);
    }

    /** Adds dL/dx (times gradScale) to {@code dxAcc}; accumulates the output and norm weight gradients. */
    void backward(double gradScale, INDArray dxAcc) {
        if (gradScale != 1) dlogits.muli(gradScale);
        kernels.gemm(Mat.of(dlogits), false, weight, true, Mat.of(dxf), 0);
        kernels.gemm(Mat.of(xf), true, Mat.of(dlogits), false, grad, 1);
        norm.backward(dxf, dxAcc);
    }
}
