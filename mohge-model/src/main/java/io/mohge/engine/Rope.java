package io.mohge.engine;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary position embedding (Su et al. 2021), rotate-half layout per head (GPT-NeoX / Llama), applied in place
 * to projections in [N, D] row layout (N = B*T rows in (sequence, position) order):
 * <pre>
 *   angle(t, d) = t * theta^(-2j / hd),  j = (d mod hd) mod (hd/2)
 *   rope(x) = x * cos + swap(x) * S       swap exchanges the two halves of every head,
 *                                         S = -sin on first halves, +sin on second halves
 *   backward: dx = dy * cos + swap(dy * S)   (swap is its own transpose)
 * </pre>
 * The tables are [1, T*D] rows, broadcast over the B rows of the [B, T*D] view of x.
 */
final class Rope {

    private final INDArray cos;   // [T*D]
    private final INDArray sinS;  // [T*D]
    private final int half;
    private final long rowLength;

    Rope(int seqLen, int heads, int headSize, double theta, DataType dtype) {
        this.half = headSize / 2;
        int d = heads * headSize;
        this.rowLength = (long) seqLen * d;
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

    /** x = rope(x) in place; {@code tmp} is scratch of x's shape. */
    void forward(INDArray x, INDArray tmp) {
        swapHalves(x, tmp);
        INDArray xr = rows(x);
        INDArray tr = rows(tmp);
        Ops.mulBroadcast(tr, sinS, tr, 1);
        Ops.mulBroadcast(xr, cos, xr, 1);
        x.addi(tmp);
    }

    /** dy = rope^T(dy) in place; {@code tmp1}, {@code tmp2} are scratch of dy's shape. */
    void backward(INDArray dy, INDArray tmp1, INDArray tmp2) {
        INDArray dr = rows(dy);
        Ops.mulBroadcast(dr, sinS, rows(tmp1), 1);
        Ops.mulBroadcast(dr, cos, dr, 1);
        swapHalves(tmp1, tmp2);
        dy.addi(tmp2);
    }

    /** [N, D] viewed as [B, T*D]. */
    private INDArray rows(INDArray x) {
        return x.reshape(x.length() / rowLength, rowLength);
    }

    /** dst = x with the two halves of every head exchanged. */
    private void swapHalves(INDArray src, INDArray dst) {
        long pieces = src.length() / (2L * half);
        INDArray s = src.reshape(pieces, 2, half);
        INDArray d = dst.reshape(pieces, 2, half);
        d.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(s.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()));
        d.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all())
                .assign(s.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()));
    }
}
