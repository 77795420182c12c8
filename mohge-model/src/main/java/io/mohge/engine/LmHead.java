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
    private final RmsNorm norm;
    private INDArray xf;        // [N, D] normalised input of the last forward
    private INDArray logits;    // [N, V]
    private INDArray logp;      // [N, V] log-softmax, then dlogits in the backward
    private INDArray rowScale;  // [N]
    private INDArray dxf;       // [N, D]
    private Batch batch;
    private double counted;

    LmHead(ParamStore params, String normName, double eps) {
        this.params = params;
        this.norm = new RmsNorm(params, normName, eps);
    }

    void allocate(int n, int d, int vocab) {
        norm.allocate(n, d);
        var dt = params.dtype();
        logits = Ops.zeros(dt, n, vocab);
        logp = Ops.zeros(dt, n, vocab);
        rowScale = Ops.zeros(dt, n);
        dxf = Ops.zeros(dt, n, d);
    }

    /** @return logits [N, V] (owned by this layer, valid until the next forward) */
    INDArray logits(INDArray x) {
        xf = norm.forward(x);
        Ops.gemm(xf, false, params.param(WEIGHT), false, logits, 0);
        return logits;
    }

    /** @return L_LM of the batch */
    double forward(INDArray x, Batch b) {
        logits(x);
        batch = b;
        Ops.logSoftmax(logits, logp);
        int vocab = (int) logits.columns();
        double sum = 0;
        counted = 0;
        for (int i = 0; i < b.positions(); i++) {
            if (b.mask()[i] == 0) continue;
            sum -= b.mask()[i] * Rows.get(logp, (long) i * vocab + b.targets()[i]);
            counted += b.mask()[i];
        }
        counted = Math.max(1.0, counted);
        return sum / counted;
    }

    /** Adds dL/dx (times gradScale) to {@code dxAcc}; accumulates the output and norm weight gradients. */
    void backward(double gradScale, INDArray dxAcc) {
        int vocab = (int) logits.columns();
        Ops.exp(logp, logp);                                   // softmax
        double[] scale = new double[batch.positions()];
        for (int i = 0; i < scale.length; i++) {
            Rows.add(logp, (long) i * vocab + batch.targets()[i], -1.0);
            scale[i] = batch.mask()[i] * gradScale / counted;
        }
        Rows.write(scale, rowScale);
        Ops.mulBroadcast(logp, rowScale, logp, 0);             // dlogits
        Ops.gemm(logp, false, params.param(WEIGHT), true, dxf, 0);
        Ops.gemm(xf, true, logp, false, params.grad(WEIGHT), 1);
        norm.backward(dxf, dxAcc);
    }
}
