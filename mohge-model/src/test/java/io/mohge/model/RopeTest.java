package io.mohge.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** RoPE is a per-head rotation whose query-key dot products depend only on the relative position. */
class RopeTest {

    private static final int T = 6;
    private static final int HEADS = 2;
    private static final int HD = 4;

    @Test
    void rotationPreservesNormsAndDotProductsDependOnOffsetOnly() {
        double[] a = {0.3, -1.2, 0.7, 2.0, -0.4, 0.9, 1.1, -0.6};
        double[] b = {1.5, 0.2, -0.8, 0.4, 0.6, -1.3, 0.1, 0.8};
        double[][] q = rotated(a);
        double[][] k = rotated(b);
        assertArrayEquals(a, q[0], 1e-12); // position 0 is not rotated
        for (int t = 0; t < T; t++) {
            for (int h = 0; h < HEADS; h++) assertEquals(dot(a, a, h), dot(q[t], q[t], h), 1e-12);
        }
        for (int h = 0; h < HEADS; h++) {
            assertEquals(dot(q[3], k[1], h), dot(q[5], k[3], h), 1e-12);   // offset 2
            assertEquals(dot(q[2], k[2], h), dot(q[4], k[4], h), 1e-12);   // offset 0
            assertTrue(Math.abs(dot(q[3], k[1], h) - dot(q[3], k[3], h)) > 1e-3, "position must matter");
        }
    }

    /** Applies RoPE to a batch of one sequence whose every position holds the same vector. */
    private static double[][] rotated(double[] v) {
        SameDiff sd = SameDiff.create();
        Params params = new Params(sd, DataType.DOUBLE, 0, 1.0);
        Rope rope = new Rope(params, T, HEADS, HD, 10000.0);
        double[][] rows = new double[T][];
        for (int t = 0; t < T; t++) rows[t] = v.clone();
        SDVariable out = rope.apply(sd, sd.constant(Nd4j.createFromArray(rows)));
        return sd.output(java.util.Map.of(), out.name()).get(out.name()).toDoubleMatrix();
    }

    private static double dot(double[] x, double[] y, int head) {
        double s = 0;
        for (int j = head * HD; j < (head + 1) * HD; j++) s += x[j] * y[j];
        return s;
    }
}
