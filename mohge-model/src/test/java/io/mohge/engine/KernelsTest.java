package io.mohge.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SIMD float32 kernels against the ND4J-op kernels on the same inputs. Sizes are odd so that every
 * scalar tail runs, and inputs are views at an offset inside a larger buffer, as the routed layer passes them.
 */
class KernelsTest {

    private static final double TOL = 2e-6;
    private static Kernels vector;
    private static final Kernels ND4J = new Nd4jKernels();

    @BeforeAll
    static void vectorKernelsAreAvailable() {
        vector = Kernels.forType(DataType.FLOAT);
        assertTrue(vector instanceof VectorKernels, "tests run with --add-modules jdk.incubator.vector on the CPU backend");
    }

    private final Random random = new Random(3);

    /** A view of [rows, cols] at offset 5 of a buffer, filled with N(0, scale). */
    private INDArray randomView(double scale, long rows, long cols) {
        INDArray buffer = Nd4j.create(DataType.FLOAT, rows * cols + 9);
        INDArray v = Ops.view(buffer, 5, rows, cols);
        double[] values = new double[(int) (rows * cols)];
        for (int i = 0; i < values.length; i++) values[i] = scale * random.nextGaussian();
        Rows.write(values, v);
        return v;
    }

    private static INDArray like(INDArray a) {
        return Nd4j.create(DataType.FLOAT, a.shape());
    }

    @Test
    void gemmWithTransposesOffsetsAndBeta() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                INDArray aBuf = randomView(1, 1, 7 + 5 * 3).dup().reshape(7 + 15);
                INDArray bBuf = randomView(1, 1, 3 * 4 + 2).dup().reshape(14);
                Mat a = ta ? new Mat(aBuf, 7, 3, 5) : new Mat(aBuf, 7, 5, 3);    // op(a) [5, 3]
                Mat b = tb ? new Mat(bBuf, 2, 4, 3) : new Mat(bBuf, 2, 3, 4);    // op(b) [3, 4]
                INDArray c0 = randomView(1, 5, 4).dup();
                INDArray c1 = c0.dup(), c2 = c0.dup();
                vector.gemm(a, ta, b, tb, Mat.of(c1), 0.5);
                ND4J.gemm(a, ta, b, tb, Mat.of(c2), 0.5);
                INDArray want = (ta ? a.view().transpose() : a.view()).mmul(tb ? b.view().transpose() : b.view())
                        .addi(c0.mul(0.5));
                assertClose(want, c1, "cblas gemm ta=" + ta + " tb=" + tb);
                assertClose(want, c2, "nd4j gemm ta=" + ta + " tb=" + tb);
            }
        }
    }

    @Test
    void ropeAndItsTransposeAgreeAndAreAdjoint() {
        int t = 5, d = 12, hd = 6;                                   // 2 heads of 6, 3 sequences of 5 positions
        INDArray cos = randomView(1, 1, t * d).dup().reshape(t * d), sin = randomView(1, 1, t * d).dup().reshape(t * d);
        INDArray x = randomView(1, 3 * t, d).dup(), y = randomView(1, 3 * t, d).dup();
        INDArray fx1 = x.dup(), fx2 = x.dup(), ty1 = y.dup(), ty2 = y.dup();
        vector.rope(fx1, cos, sin, hd, false);
        ND4J.rope(fx2, cos, sin, hd, false);
        vector.rope(ty1, cos, sin, hd, true);
        ND4J.rope(ty2, cos, sin, hd, true);
        assertClose(fx2, fx1, "rope");
        assertClose(ty2, ty1, "rope transpose");
        // <rope(x), y> = <x, rope^T(y)>
        assertEquals(fx1.mul(y).sumNumber().doubleValue(), x.mul(ty1).sumNumber().doubleValue(), 1e-4);
    }

    @Test
    void swiGluForwardAndBackward() {
        INDArray a = randomView(3, 37, 29), b = randomView(1, 37, 29), dh = randomView(1, 37, 29);
        INDArray s1 = like(a), h1 = like(a), s2 = like(a), h2 = like(a);
        vector.swiGlu(a, b, s1, h1);
        ND4J.swiGlu(a, b, s2, h2);
        assertClose(s2, s1, "sigmoid");
        assertClose(h2, h1, "h");
        INDArray da1 = like(a), db1 = like(a), da2 = like(a), db2 = like(a);
        vector.swiGluBackward(dh, a, b, s1, da1, db1);
        ND4J.swiGluBackward(dh, a, b, s2, da2, db2);
        assertClose(da2, da1, "da");
        assertClose(db2, db1, "db");
    }

    @Test
    void causalSoftmaxAndItsBackward() {
        INDArray scores = randomView(4, 3 * 21, 21).reshape(3, 21, 21);
        INDArray p1 = scores.dup(), p2 = scores.dup();
        vector.causalSoftmax(p1);
        ND4J.causalSoftmax(p2);
        assertClose(p2, p1, "softmax");
        assertEquals(0.0, p1.getDouble(1, 3, 4), 0.0, "above the diagonal");
        assertEquals(1.0, p1.getDouble(2, 0, 0), 1e-6, "first row attends to itself only");
        INDArray dp = randomView(1, 3 * 21, 21).reshape(3, 21, 21);
        INDArray d1 = dp.dup(), d2 = dp.dup();
        vector.softmaxBackward(p1.dup(), d1);
        ND4J.softmaxBackward(p2.dup(), d2);
        assertClose(d2, d1, "softmax backward");
    }

    @Test
    void rmsNormForwardAndBackward() {
        INDArray x = randomView(2, 23, 35), g = randomView(1, 1, 35).reshape(35), dy = randomView(1, 23, 35);
        INDArray y1 = like(x), y2 = like(x), r1 = Nd4j.create(DataType.FLOAT, 23), r2 = r1.dup();
        vector.rmsNorm(x, g, 1e-6, y1, r1);
        ND4J.rmsNorm(x, g, 1e-6, y2, r2);
        assertClose(y2, y1, "y");
        assertClose(r2, r1, "r");
        INDArray dx1 = randomView(1, 23, 35), dx2 = dx1.dup(), dg1 = randomView(1, 1, 35).reshape(35), dg2 = dg1.dup();
        vector.rmsNormBackward(dy, x, g, r1, dx1, dg1);
        ND4J.rmsNormBackward(dy, x, g, r2, dx2, dg2);
        assertClose(dx2, dx1, "dx accumulated");
        assertClose(dg2, dg1, "dg accumulated");
    }

    @Test
    void crossEntropyAndItsGradient() {
        INDArray logits = randomView(3, 19, 41);
        int[] targets = new int[19];
        double[] weights = new double[19];
        for (int i = 0; i < 19; i++) {
            targets[i] = random.nextInt(41);
            weights[i] = i == 4 ? 0 : 1.0 / 18;
        }
        INDArray d1 = like(logits), d2 = like(logits);
        double l1 = vector.crossEntropy(logits, targets, weights, d1);
        double l2 = ND4J.crossEntropy(logits, targets, weights, d2);
        assertEquals(l2, l1, 1e-5 * Math.abs(l2));
        assertClose(d2, d1, "dlogits");
        assertEquals(l1, vector.crossEntropy(logits, targets, weights, null), 0.0, "loss without gradient");
    }

    @Test
    void sumOfSquaresOverManyTiles() {
        INDArray x = randomView(1, 1, 3 * 4096 + 77).reshape(3 * 4096 + 77);
        assertEquals(ND4J.sumOfSquares(x), vector.sumOfSquares(x), 1e-5 * ND4J.sumOfSquares(x));
        x.putScalar(100, Float.NaN);
        assertTrue(Double.isNaN(vector.sumOfSquares(x)));
    }

    @Test
    void adamWUpdate() {
        INDArray p = randomView(1, 1, 53).reshape(53), g = randomView(1, 1, 53).reshape(53);
        INDArray m = randomView(0.1, 1, 53).reshape(53), v = randomView(0.1, 1, 53).reshape(53);
        v.assign(org.nd4j.linalg.ops.transforms.Transforms.abs(v));
        INDArray mask = Nd4j.create(DataType.FLOAT, 53);
        for (int i = 0; i < 53; i += 2) mask.putScalar(i, 1);
        Kernels.AdamWStep step = new Kernels.AdamWStep(3e-3, 0.9, 0.95, 1e-8, 0.1, 7);
        INDArray p2 = p.dup(), m2 = m.dup(), v2 = v.dup();
        vector.adamW(p, g, m, v, mask, step);
        ND4J.adamW(p2, g, m2, v2, mask, step);
        assertClose(p2, p, "p");
        assertClose(m2, m, "m");
        assertClose(v2, v, "v");
    }

    @Test
    void simdExpIsWithinTwoUlpAndLanesEqualTheScalarFormula() {
        float[] xs = new float[4096];
        for (int i = 0; i < xs.length; i++) xs[i] = -87f + 175f * i / (xs.length - 1);
        double worst = 0;
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        for (int i = 0; i + lanes <= xs.length; i += lanes) {
            float[] v = VectorKernels.exp(jdk.incubator.vector.FloatVector.fromArray(
                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED, xs, i)).toArray();
            for (int l = 0; l < lanes; l++) {
                float scalar = VectorKernels.expf(xs[i + l]);
                assertEquals(Float.floatToIntBits(scalar), Float.floatToIntBits(v[l]), "lane " + l + " at " + xs[i + l]);
                double exact = Math.exp(xs[i + l]);
                worst = Math.max(worst, Math.abs(scalar - exact) / Math.ulp((float) exact));
            }
        }
        assertTrue(worst <= 2.0, "max error " + worst + " ulp");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= TOL * scale, what + ": max |diff| " + diff + " for max |value| " + scale);
    }
}
