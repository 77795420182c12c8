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

    /**
     * The loss position by position, on host arrays: temporal routing needs each position's loss, and
     * self-distillation a teacher (docs/temporal.md). With w_n = m_n / max(1, sum m) and pT = softmax of the
     * teacher's logits:
     * <pre>
     *   ce_n = logsumexp(x_n) - x_n[y_n]          kl_n = sum_v pT_v (log pT_v - log p_v)
     *   token[n]  = w_n (lmCoef ce_n + klCoef kl_n)
     *   dlogits_n = w_n (lmCoef (p_n - onehot(y_n)) + klCoef (p_n - pT_n))
     * </pre>
     *
     * @param teacher [N, V] (any shape of N*V values) the teacher's logits, or null when klCoef = 0
     * @param token   [N] receives each position's weighted loss
     * @return {sum_n w_n ce_n, sum_n w_n kl_n}
     */
    double[] forwardTokens(INDArray x, Batch b, double lmCoef, double klCoef, INDArray teacher, double[] token,
                           boolean withGradient) {
        logits(x);
        int n = b.positions();
        int v = (int) logits.columns();
        double[] z = Rows.read(logits);                                          // [N*V]
        double[] zt = teacher == null ? null : Rows.read(teacher);
        if (zt != null && zt.length != z.length) {
            throw new IllegalArgumentException("teacher logits: " + zt.length + " values for " + n + " x " + v);
        }
        double counted = 0;
        for (double m : b.mask()) counted += m;
        counted = Math.max(1.0, counted);
        double lm = 0, kl = 0;
        double[] p = new double[v];
        double[] pt = new double[v];
        for (int r = 0; r < n; r++) {
            int o = r * v;
            double w = b.mask()[r] / counted;
            double lse = logSoftmax(z, o, v, p);                                 // p = softmax(x_r)
            double ce = lse - z[o + b.targets()[r]];
            double div = 0;
            if (zt != null) {
                double tlse = logSoftmax(zt, o, v, pt);
                for (int c = 0; c < v; c++) {
                    if (pt[c] > 0) div += pt[c] * ((zt[o + c] - tlse) - (z[o + c] - lse));
                }
            }
            lm += w * ce;
            kl += w * div;
            token[r] = w * (lmCoef * ce + klCoef * div);
            if (!withGradient) continue;
            for (int c = 0; c < v; c++) {
                double g = lmCoef * (p[c] - (c == b.targets()[r] ? 1 : 0)) + (zt == null ? 0 : klCoef * (p[c] - pt[c]));
                z[o + c] = w * g;                                                // z now holds dlogits
            }
        }
        if (withGradient) Rows.write(z, dlogits);
        return new double[] {lm, kl};
    }

    /** out = softmax(x[o .. o+len)); returns logsumexp. */
    private static double logSoftmax(double[] x, int o, int len, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < len; i++) max = Math.max(max, x[o + i]);
        double sum = 0;
        for (int i = 0; i < len; i++) {
            out[i] = Math.exp(x[o + i] - max);
            sum += out[i];
        }
        for (int i = 0; i < len; i++) out[i] /= sum;
        return max + Math.log(sum);
    }

    /** Adds dL/dx (times gradScale) to {@code dxAcc}; accumulates the output and norm weight gradients. */
    void backward(double gradScale, INDArray dxAcc) {
        if (gradScale != 1) dlogits.muli(gradScale);
        kernels.gemm(Mat.of(dlogits), false, weight, true, Mat.of(dxf), 0);
        kernels.gemm(Mat.of(xf), true, Mat.of(dlogits), false, grad, 1);
        norm.backward(dxf, dxAcc);
    }
}
