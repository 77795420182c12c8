package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Rotary position embedding (Su et al. 2021, RoFormer), "rotate half" layout as in GPT-NeoX / Llama:
 * <pre>
 *   theta_j = rope_theta^(-2j / hd),  j = 0 .. hd/2 - 1
 *   rope(x)_t = x_t * cos(t theta) + rotate_half(x_t) * sin(t theta),  rotate_half([a, b]) = [-b, a]
 * </pre>
 * rotate_half is a fixed [hd, hd] matrix product so no slicing is needed in the graph.
 */
final class Rope {

    private final SDVariable cos;     // [1, T, 1, hd]
    private final SDVariable sin;     // [1, T, 1, hd]
    private final SDVariable rotate;  // [hd, hd]
    private final int headSize;

    Rope(Params params, int seqLen, int headSize, double theta) {
        this.headSize = headSize;
        int half = headSize / 2;
        double[][] cosTable = new double[seqLen][headSize];
        double[][] sinTable = new double[seqLen][headSize];
        for (int t = 0; t < seqLen; t++) {
            for (int j = 0; j < headSize; j++) {
                double angle = t * Math.pow(theta, -2.0 * (j % half) / headSize);
                cosTable[t][j] = Math.cos(angle);
                sinTable[t][j] = Math.sin(angle);
            }
        }
        double[][] r = new double[headSize][headSize];
        for (int j = 0; j < half; j++) {
            r[j + half][j] = -1;   // out[j]        = -x[j + half]
            r[j][j + half] = 1;    // out[j + half] =  x[j]
        }
        this.cos = params.constant(Nd4j.createFromArray(cosTable).reshape(1, seqLen, 1, headSize));
        this.sin = params.constant(Nd4j.createFromArray(sinTable).reshape(1, seqLen, 1, headSize));
        this.rotate = params.constant(Nd4j.createFromArray(r));
    }

    /**
     * @param x [B, T, H, hd]
     * @return [B, T, H, hd]
     */
    SDVariable apply(SameDiff sd, SDVariable x, int seqLen, int heads) {
        SDVariable rotated = sd.reshape(sd.mmul(sd.reshape(x, -1, headSize), rotate), -1, seqLen, heads, headSize);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
