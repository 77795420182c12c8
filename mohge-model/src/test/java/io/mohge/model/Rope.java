package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding (Su et al. 2021, RoFormer), "rotate half" layout per head as in GPT-NeoX / Llama:
 * <pre>
 *   theta_j = rope_theta^(-2j / hd),  j = 0 .. hd/2 - 1
 *   rope(x)_t = x_t * cos(t theta) + rotate_half(x_t) * sin(t theta),  rotate_half([a, b]) = [-b, a] per head
 * </pre>
 * rotate_half is a fixed block-diagonal [D, D] matrix product, and the tables are laid out [1, T*D] so that the
 * products broadcast over the batch rows only (a 4-D broadcast's backprop is several times slower in ND4J).
 */
final class Rope {

    private final SDVariable cos;     // [1, T*D]
    private final SDVariable sin;     // [1, T*D]
    private final SDVariable rotate;  // [D, D]
    private final int seqLen;
    private final int dModel;

    Rope(Params params, int seqLen, int heads, int headSize, double theta) {
        this.seqLen = seqLen;
        this.dModel = heads * headSize;
        int half = headSize / 2;
        double[] cosTable = new double[seqLen * dModel];
        double[] sinTable = new double[seqLen * dModel];
        for (int t = 0; t < seqLen; t++) {
            for (int d = 0; d < dModel; d++) {
                double angle = t * Math.pow(theta, -2.0 * ((d % headSize) % half) / headSize);
                cosTable[t * dModel + d] = Math.cos(angle);
                sinTable[t * dModel + d] = Math.sin(angle);
            }
        }
        double[][] r = new double[dModel][dModel];
        for (int h = 0; h < heads; h++) {
            int o = h * headSize;
            for (int j = 0; j < half; j++) {
                r[o + j + half][o + j] = -1;   // out[j]        = -x[j + half]
                r[o + j][o + j + half] = 1;    // out[j + half] =  x[j]
            }
        }
        this.cos = params.constant(Nd4j.createFromArray(cosTable).reshape(1, (long) seqLen * dModel));
        this.sin = params.constant(Nd4j.createFromArray(sinTable).reshape(1, (long) seqLen * dModel));
        this.rotate = params.constant(Nd4j.createFromArray(r));
    }

    /**
     * @param x [N, D] with N = B*T rows in (batch, position) order
     * @return [N, D]
     */
    SDVariable apply(SameDiff sd, SDVariable x) {
        SDVariable rows = sd.reshape(x, -1, (long) seqLen * dModel);                             // [B, T*D]
        SDVariable rotated = sd.reshape(sd.mmul(x, rotate), -1, (long) seqLen * dModel);        // [B, T*D]
        return sd.reshape(rows.mul(cos).add(rotated.mul(sin)), -1, dModel);                     // [N, D]
    }
}
