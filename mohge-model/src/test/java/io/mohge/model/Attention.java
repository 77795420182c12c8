package io.mohge.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Causal multi-head self-attention with RoPE, written by hand (docs/engine.md: the library's multi-head
 * attention only takes a padding mask). Weights are stored [in, out]:
 * {@code layers.{i}.attention.{wq,wk,wv,wo}.weight} [D, D].
 * <pre>
 *   q, k = rope(x Wq), rope(x Wk);  v = x Wv             per head [B, H, T, hd]
 *   a = softmax(q k^T / sqrt(hd) + causal_mask)          causal_mask[t, s] = -1e9 for s > t
 *   out = concat_heads(a v) Wo
 * </pre>
 */
final class Attention {

    private final Rope rope;
    private final SDVariable causalMask; // [1, 1, T, T]
    private final int seqLen;
    private final int heads;
    private final int headSize;
    private final int dModel;

    Attention(Params params, ModelConfig config) {
        this.seqLen = config.seqLen();
        this.heads = config.nHeads();
        this.headSize = config.headSize();
        this.dModel = config.dModel();
        this.rope = new Rope(params, seqLen, heads, headSize, config.ropeTheta());
        double[][] mask = new double[seqLen][seqLen];
        for (int t = 0; t < seqLen; t++) {
            for (int s = t + 1; s < seqLen; s++) mask[t][s] = -1e9;
        }
        this.causalMask = params.constant(Nd4j.createFromArray(mask).reshape(1, 1, seqLen, seqLen));
    }

    /**
     * @param prefix e.g. {@code layers.0.attention}
     * @param x      [N, D] normalised hidden states, N = B*T
     * @return [N, D]
     */
    SDVariable apply(Params params, String prefix, SDVariable x) {
        SameDiff sd = params.sd();
        SDVariable wq = params.matrix(prefix + ".wq.weight", dModel, dModel);
        SDVariable wk = params.matrix(prefix + ".wk.weight", dModel, dModel);
        SDVariable wv = params.matrix(prefix + ".wv.weight", dModel, dModel);
        SDVariable wo = params.matrix(prefix + ".wo.weight", dModel, dModel);

        SDVariable q = heads(sd, split(sd, rope.apply(sd, sd.mmul(x, wq))));                  // [B, H, T, hd]
        SDVariable k = heads(sd, split(sd, rope.apply(sd, sd.mmul(x, wk))));                  // [B, H, T, hd]
        SDVariable v = heads(sd, split(sd, sd.mmul(x, wv)));                                  // [B, H, T, hd]

        SDVariable scores = sd.mmul(q, k, false, true, false)
                .mul(1.0 / Math.sqrt(headSize)).add(causalMask);                               // [B, H, T, T]
        SDVariable weights = sd.nn.softmax(scores, 3);                                          // [B, H, T, T]
        SDVariable context = sd.permute(sd.mmul(weights, v), 0, 2, 1, 3);                      // [B, T, H, hd]
        return sd.mmul(sd.reshape(context, -1, dModel), wo);                                   // [N, D]
    }

    /** [N, D] -> [B, T, H, hd]. */
    private SDVariable split(SameDiff sd, SDVariable x) {
        return sd.reshape(x, -1, seqLen, heads, headSize);
    }

    /** [B, T, H, hd] -> [B, H, T, hd]. */
    private static SDVariable heads(SameDiff sd, SDVariable x) {
        return sd.permute(x, 0, 2, 1, 3);
    }
}
