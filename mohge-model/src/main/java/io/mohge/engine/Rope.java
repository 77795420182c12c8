package io.mohge.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding (Su et al. 2021), rotate-half layout per head (GPT-NeoX / Llama), applied in place
 * to projections in [N, D] row layout (N = B*T rows in (sequence, position) order):
 * <pre>
 *   angle(t, d) = t * theta^(-2j / hd),  j = (d mod hd) mod (hd/2)
 *   rope(x) = x * cos + swap(x) * S       swap exchanges the two halves of every head,
 *                                         S = -sin on first halves, +sin on second halves
 *   backward: dx = dy * cos + swap(dy * S)   (swap is its own transpose)
 * </pre>
 * The tables are [T*D] rows, one per position; the work is a {@link Kernels#rope} call.
 */
final class Rope {

    private final Kernels kernels;
    private final INDArray cos;   // [T*D]
    private final INDArray sinS;  // [T*D]
    private final int headSize;

    Rope(Kernels kernels, int seqLen, int heads, int headSize, double theta, DataType dtype) {
        this.kernels = kernels;
        this.headSize = headSize;
        int half = headSize / 2;
        int d = heads * headSize;
        double[] c = new double[seqLen * d];
        double[] s = new double[seqLen * d];
        for (int t = 0; t < seqLen; t++) {
            for (int col = 0; col < d; col++) {
                int inHead = col % headSize;
                double angle = t * Math.pow(theta, -2.0 * (inHead % half) / headSize);
                c[t * d + col] = Math.cos(angle);
                s[t * d + col] = (inHead < half ? -1 : 1) * Math.sin(angle);
            }
        }
        this.cos = Nd4j.createFromArray(c).castTo(dtype);
        this.sinS = Nd4j.createFromArray(s).castTo(dtype);
    }

    /** x = rope(x) in place, x [N, D]. */
    void forward(INDArray x) {
        kernels.rope(x, cos, sinS, headSize, false);
    }

    /** dy = rope^T(dy) in place. */
    void backward(INDArray dy) {
        kernels.rope(dy, cos, sinS, headSize, true);
    }
}
