package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SwiGLU feed-forward (Shazeer 2020) over M rows, no biases; the dense FFN, every routed expert and the
 * shared expert. Weights [in, out]: W1, W3 [D, F], W2 [F, D].
 * <pre>
 *   a = x W1,  b = x W3,  s = sigmoid(a),  h = a * s * b,  y = h W2            [M, F] / [M, D]
 *   backward: dh = dy W2^T,  db = dh * a * s,  da = dh * b * (s + a*s*(1 - s)),
 *             dx = da W1^T + db W3^T,  dW1 = x^T da,  dW3 = x^T db,  dW2 = h^T dy
 * </pre>
 * The caller owns every buffer, so the routed layer can hand in row blocks of its dispatch buffers.
 */
final class SwiGlu {

    /** Parameter and gradient views of one SwiGLU. */
    record Weights(INDArray w1, INDArray w3, INDArray w2, INDArray g1, INDArray g3, INDArray g2) {
        static Weights of(ParamStore params, String prefix) {
            return new Weights(params.param(prefix + ".w1.weight"), params.param(prefix + ".w3.weight"),
                    params.param(prefix + ".w2.weight"), params.grad(prefix + ".w1.weight"),
                    params.grad(prefix + ".w3.weight"), params.grad(prefix + ".w2.weight"));
        }
    }

    /** Four [M, F] buffers: saved activations (a, b, s, h) in the forward, scratch (dh, da, db, g) backward. */
    record Acts(INDArray a, INDArray b, INDArray s, INDArray h) {
        /** Views of [rows, width] at {@code offset} in four flat buffers. */
        static Acts view(INDArray[] flat, long offset, long rows, long width) {
            return new Acts(Ops.view(flat[0], offset, rows, width), Ops.view(flat[1], offset, rows, width),
                    Ops.view(flat[2], offset, rows, width), Ops.view(flat[3], offset, rows, width));
        }
    }

    private SwiGlu() {
    }

    /** Declares {@code <prefix>.{w1,w2,w3}.weight}. */
    static void declare(ParamStore.Builder b, String prefix, int dModel, int width) {
        b.matrix(prefix + ".w1.weight", dModel, width);
        b.matrix(prefix + ".w2.weight", width, dModel);
        b.matrix(prefix + ".w3.weight", dModel, width);
    }

    /** {@code y = SwiGLU(x) + beta * y}. */
    static void forward(Kernels kernels, INDArray x, Weights w, Acts acts, INDArray y, double beta) {
        Ops.gemm(x, false, w.w1(), false, acts.a(), 0);
        Ops.gemm(x, false, w.w3(), false, acts.b(), 0);
        kernels.swiGlu(acts.a(), acts.b(), acts.s(), acts.h());
        Ops.gemm(acts.h(), false, w.w2(), false, y, beta);
    }

    /**
     * {@code dx = dSwiGLU/dx (dy) + dxBeta * dx}; weight gradients are accumulated.
     *
     * @param scratch buffers of the activations' shape (three are used: dh, da, db)
     */
    static void backward(Kernels kernels, INDArray x, Weights w, Acts acts, INDArray dy, INDArray dx, double dxBeta,
                         Acts scratch) {
        INDArray dh = scratch.a();
        INDArray da = scratch.b();
        INDArray db = scratch.s();
        Ops.gemm(dy, false, w.w2(), true, dh, 0);
        Ops.gemm(acts.h(), true, dy, false, w.g2(), 1);
        kernels.swiGluBackward(dh, acts.a(), acts.b(), acts.s(), da, db);
        Ops.gemm(da, false, w.w1(), true, dx, dxBeta);
        Ops.gemm(db, false, w.w3(), true, dx, 1);
        Ops.gemm(x, true, da, false, w.g1(), 1);
        Ops.gemm(x, true, db, false, w.g3(), 1);
    }
}
