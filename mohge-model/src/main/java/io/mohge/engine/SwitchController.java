package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The switch controller of one routed layer (docs/temporal.md): a linear head on the layer's normalised
 * input u that gives every token the probability of switching expert sets,
 * <pre>
 *   z_t    = u_t w + b                                   [n, 1]   w = controller.weight [D, 1], b = controller.bias [1]
 *   beta_t = sigmoid(z_t)
 *   s_t    = 1 (the first position of a sequence, which always routes) or the policy's decision from beta_t
 *   keep_t = not s_t                                     the token keeps the previous token's expert set
 * </pre>
 * Its backward takes dL/dz (the estimator's, computed by the model from the whole sequence's losses) and
 * accumulates dL/dw = u^T dz, dL/db = sum dz and, when the rest of the model trains too, du += dz w^T.
 */
final class SwitchController {

    private final Kernels kernels;
    private final Mat weight;        // [D, 1]
    private final Mat weightGrad;
    private final INDArray values;   // the flat parameter buffer [P] (views would add an offset of their own)
    private final INDArray grads;    // the flat gradient buffer [P]
    private final long biasAt;       // offset of controller.bias [1] in both
    private final int layer;
    private INDArray z;              // [n, 1] logits, then dL/dz in the backward
    int n;
    double[] beta;                   // [n] switch probabilities
    boolean[] decision;              // [n] true = switch (the router decides); the first position is always true
    boolean[] first;                 // [n] positions without a decision (a sequence's first token)
    boolean[] keep;                  // [n] = not decision

    SwitchController(ParamStore params, Kernels kernels, String prefix, int layer) {
        this.kernels = kernels;
        this.weight = params.paramMat(prefix + ".controller.weight");
        this.weightGrad = params.gradMat(prefix + ".controller.weight");
        this.values = params.values();
        this.grads = params.grads();
        this.biasAt = params.entry(prefix + ".controller.bias").offset();
        this.layer = layer;
    }

    /** Declares {@code <prefix>.controller.weight} [D, 1] (N(0, init_std)) and {@code .bias} [1] (logit of p0). */
    static void declare(ParamStore.Builder b, String prefix, int dModel, double initBias) {
        b.matrix(prefix + ".controller.weight", dModel, 1);
        b.bias(prefix + ".controller.bias", 1, initBias);
    }

    void allocate(int rows) {
        z = Ops.zeros(values.dataType(), rows, 1);
        beta = new double[rows];
        decision = new boolean[rows];
        first = new boolean[rows];
        keep = new boolean[rows];
    }

    /**
     * Probabilities and decisions for the n rows of u; {@code first} must already mark the rows that start a
     * sequence. Position p of the policy is the row index.
     */
    void forward(INDArray u, int rows, SwitchPolicy policy) {
        n = rows;
        kernels.gemm(Mat.of(u), false, weight, false, Mat.of(z), 0);
        double[] logits = Rows.read(z);
        double b = Rows.get(values, biasAt);
        for (int t = 0; t < n; t++) {
            beta[t] = 1 / (1 + Math.exp(-(logits[t] + b)));
            decision[t] = first[t] || policy.switches(layer, t, beta[t]);
            keep[t] = !decision[t];
        }
    }

    /**
     * Accumulates the parameter gradients for dL/dz and, when {@code du} is not null, adds dz w^T to it.
     *
     * @param dz [n] dL/dz of every row (0 at rows without a decision)
     */
    void backward(INDArray u, double[] dz, INDArray du) {
        Rows.write(dz, z);
        kernels.gemm(Mat.of(u), true, Mat.of(z), false, weightGrad, 1);       // dw += u^T dz      [D, 1]
        double sum = 0;
        for (int t = 0; t < n; t++) sum += dz[t];
        Rows.add(grads, biasAt, sum);
        if (du != null) kernels.gemm(Mat.of(z), false, weight, true, Mat.of(du), 1);   // du += dz w^T  [n, D]
    }
}
