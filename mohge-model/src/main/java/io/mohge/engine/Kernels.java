package io.mohge.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

/**
 * The engine's compute: matrix products and the element-wise and row-wise work between them, fused per layer
 * step. Two implementations compute the same maths:
 * <ul>
 *   <li>{@link Nd4jKernels}: compositions of ND4J ops. Runs on every backend and dtype (the CUDA profile, the
 *       float64 oracle tests).</li>
 *   <li>{@link VectorKernels}: float32 on the CPU backend: products straight through OpenBLAS's cblas_sgemm
 *       (ND4J's gemm op adds about 60 us per call, which dominates small expert blocks), the element-wise work in
 *       one SIMD pass per kernel with the JDK's Vector API. ND4J's CPU transcendental ops run at about 3.5 ns per
 *       element, several times slower than SIMD exp (docs/engine.md).</li>
 * </ul>
 * All arrays are c-order and contiguous, with the shapes given per method.
 */
public interface Kernels {

    /** {@code c = op(a) op(b) + beta * c}, op = transpose when the flag is set. */
    void gemm(Mat a, boolean transA, Mat b, boolean transB, Mat c, double beta);

    /**
     * Rotary embedding in place on [N, D] rows in (sequence, position) order, rotate-half per head of hd values:
     * {@code x = x * cos + swap(x) * sinS}, or with {@code transpose} the backward
     * {@code x = x * cos + swap(x * sinS)}; cos and sinS are [T * D] tables for the T positions (see {@link Rope}).
     */
    void rope(INDArray x, INDArray cos, INDArray sinS, int headSize, boolean transpose);

    /** s = sigmoid(a), h = a * s * b; all [M, F]. */
    void swiGlu(INDArray a, INDArray b, INDArray s, INDArray h);

    /** db = dh * a * s, da = dh * b * (s + a * s * (1 - s)); all [M, F]. */
    void swiGluBackward(INDArray dh, INDArray a, INDArray b, INDArray s, INDArray da, INDArray db);

    /** In place over [R, T, T] score blocks: each row t becomes softmax(scores[t, 0..t]) and 0 beyond t. */
    void causalSoftmax(INDArray scores);

    /** In place: dp = p * (dp - rowsum(p * dp)), the softmax backward, on [R, T, T]. */
    void softmaxBackward(INDArray p, INDArray dp);

    /** r = 1 / sqrt(mean(x^2) + eps) per row, y = x * r * g; x, y [N, D], g [D], r [N]. */
    void rmsNorm(INDArray x, INDArray g, double eps, INDArray y, INDArray r);

    /** dxAcc += r * gy - x * r^3 * mean(gy * x) with gy = dy * g; dgAcc += sum over rows of dy * x * r. */
    void rmsNormBackward(INDArray dy, INDArray x, INDArray g, INDArray r, INDArray dxAcc, INDArray dgAcc);

    /**
     * Weighted next-token cross-entropy of [N, V] logits: returns sum_n w_n * (logsumexp(x_n) - x_n[y_n]), and
     * when {@code dlogits} is not null writes dlogits_n = w_n * (softmax(x_n) - onehot(y_n)).
     */
    double crossEntropy(INDArray logits, int[] targets, double[] weights, INDArray dlogits);

    /** sum of x^2 over all elements (the global gradient norm is its square root). */
    double sumOfSquares(INDArray x);

    /**
     * One AdamW update in place over flat [P] arrays, in torch.optim.AdamW's form (decay scaled by lr):
     * <pre>
     *   p -= lr * wd * mask * p;   m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2
     *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
     * </pre>
     */
    void adamW(INDArray p, INDArray g, INDArray m, INDArray v, INDArray decayMask, AdamWStep step);

    /** Hyper-parameters of one AdamW update; t is the 1-based step. */
    record AdamWStep(double lr, double beta1, double beta2, double eps, double weightDecay, long t) {
        public double biasCorrection1() {
            return 1 - Math.pow(beta1, t);
        }

        public double biasCorrection2() {
            return 1 - Math.pow(beta2, t);
        }
    }

    /** The fast kernels when they can run (float32, CPU backend, jdk.incubator.vector loaded), else ND4J ops. */
    static Kernels forType(DataType dtype) {
        boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        boolean cpu = Nd4j.getBackend().getClass().getName().contains(".cpu.");
        if (dtype == DataType.FLOAT && module && cpu) return new VectorKernels();
        if (dtype == DataType.FLOAT) {
            LoggerFactory.getLogger(Kernels.class).info("element-wise kernels: ND4J ops (backend {}, "
                    + "jdk.incubator.vector {}); on a CPU, start the JVM with --add-modules jdk.incubator.vector for "
                    + "kernels about 7x faster", Nd4j.getBackend().getClass().getSimpleName(),
                    module ? "loaded" : "not loaded");
        }
        return new Nd4jKernels();
    }
}
