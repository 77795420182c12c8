package io.mohge.train;

import io.mohge.engine.Kernels;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradClipTest {

    private static final Kernels K = Kernels.forType(DataType.FLOAT);

    @Test
    void clipsByTheNormOfAllGradientsTogether() {
        INDArray g = Nd4j.createFromArray(3f, 0f, 0f, 4f, 0f, 12f);
        double norm = GradClip.clip(K, g, 1.3); // sqrt(9 + 16 + 144) = 13
        assertEquals(13.0, norm, 1e-6);
        double s = 1.3 / (13.0 + 1e-6);
        assertArrayEquals(new float[]{(float) (3 * s), 0f, 0f, (float) (4 * s), 0f, (float) (12 * s)},
                g.data().asFloat(), 1e-7f);
        assertEquals(1.3, g.norm2Number().doubleValue(), 1e-6);
    }

    @Test
    void leavesSmallOrNonFiniteGradientsAlone() {
        INDArray a = Nd4j.createFromArray(0.3f, 0.4f);
        assertEquals(0.5, GradClip.clip(K, a, 1.0), 1e-7);
        assertArrayEquals(new float[]{0.3f, 0.4f}, a.data().asFloat(), 0f);
        assertEquals(0.5, GradClip.clip(K, a, 0.0), 1e-7); // 0 = no clipping
        assertArrayEquals(new float[]{0.3f, 0.4f}, a.data().asFloat(), 0f);
        INDArray bad = Nd4j.createFromArray(0.3f, Float.NaN, 1f);
        assertTrue(Double.isNaN(GradClip.clip(K, bad, 1.0)));
        assertArrayEquals(new float[]{0.3f, Float.NaN, 1f}, bad.data().asFloat(), 0f);
    }
}
