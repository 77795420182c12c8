package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Causal multi-head self-attention with RoPE, forward and backward. Weights [in, out]:
 * {@code <prefix>.{wq,wk,wv,wo}.weight} [D, D]. With B sequences of T positions, H heads of size hd:
 * <pre>
 *   q, k = rope(x Wq), rope(x Wk);  v = x Wv            [N, D] -> heads [B*H, T, hd]
 *   p    = softmax(q k^T / sqrt(hd) + mask)             [B*H, T, T]   mask[t, s] = -1e9 for s > t
 *   out  = merge_heads(p v) Wo                          [N, D]
 *   backward:  dp = dctx v^T,  dv = p^T dctx,  ds = p * (dp - rowsum(dp * p)),
 *              dq = ds k / sqrt(hd),  dk = ds^T q / sqrt(hd)
 * </pre>
 */
final class Attention {

    private final ParamStore params;
    private final Kernels kernels;
    private final Mat wq, wk, wv, wo;             // [D, D] parameters
    private final Mat gq, gk, gv, go;             // their gradients
    private final Rope rope;
    private final int seqLen;
    private final int heads;
    private final int headSize;
    private final double scale;
    private int batch;
    private INDArray x;                           // [N, D] input of the last forward
    private INDArray qLin, kLin, vLin, ctx;       // [N, D]
    private INDArray tmp1;                        // [N, D] scratch
    private INDArray qh, kh, vh, ctxh;            // [B*H, T, hd]
    private INDArray p, dp;                       // [B*H, T, T]

    Attention(ParamStore params, Kernels kernels, String prefix, int seqLen, int heads, int headSize, double ropeTheta) {
        this.params = params;
        this.kernels = kernels;
        this.wq = params.paramMat(prefix + ".wq.weight");
        this.wk = params.paramMat(prefix + ".wk.weight");
        this.wv = params.paramMat(prefix + ".wv.weight");
        this.wo = params.paramMat(prefix + ".wo.weight");
        this.gq = params.gradMat(prefix + ".wq.weight");
        this.gk = params.gradMat(prefix + ".wk.weight");
        this.gv = params.gradMat(prefix + ".wv.weight");
        this.go = params.gradMat(prefix + ".wo.weight");
        this.seqLen = seqLen;
        this.heads = heads;
        this.headSize = headSize;
        this.scale = 1.0 / Math.sqrt(headSize);
        this.rope = new Rope(kernels, seqLen, heads, headSize, ropeTheta, params.dtype());
    }

    void allocate(int batch) {
        this.batch = batch;
        int n = batch * seqLen;
        int d = heads * headSize;
        var dt = params.dtype();
        qLin = Ops.zeros(dt, n, d);
        kLin = Ops.zeros(dt, n, d);
        vLin = Ops.zeros(dt, n, d);
        ctx = Ops.zeros(dt, n, d);
        tmp1 = Ops.zeros(dt, n, d);
        long bh = (long) batch * heads;
        qh = Ops.zeros(dt, bh, seqLen, headSize);
        kh = Ops.zeros(dt, bh, seqLen, headSize);
        vh = Ops.zeros(dt, bh, seqLen, headSize);
        ctxh = Ops.zeros(dt, bh, seqLen, headSize);
        p = Ops.zeros(dt, bh, seqLen, seqLen);
        dp = Ops.zeros(dt, bh, seqLen, seqLen);
    }

    /** out = Attention(x), both [N, D]. */
    void forward(INDArray input, INDArray out) {
        x = input;
        kernels.gemm(Mat.of(x), false, wq, false, Mat.of(qLin), 0);
        kernels.gemm(Mat.of(x), false, wk, false, Mat.of(kLin), 0);
        kernels.gemm(Mat.of(x), false, wv, false, Mat.of(vLin), 0);
        rope.forward(qLin);
        rope.forward(kLin);
        toHeads(qLin, qh);
        toHeads(kLin, kh);
        toHeads(vLin, vh);
        Ops.batchedGemm(qh, false, kh, true, p, scale);      // scores
        kernels.causalSoftmax(p);
        Ops.batchedGemm(p, false, vh, false, ctxh, 1.0);
        fromHeads(ctxh, ctx);
        kernels.gemm(Mat.of(ctx), false, wo, false, Mat.of(out), 0);
    }

    /** dx = d(out)/d(x) applied to dout (dx is overwritten); weight gradients are accumulated. */
    void backward(INDArray dout, INDArray dx) {
        kernels.gemm(Mat.of(dout), false, wo, true, Mat.of(tmp1), 0);            // dctx [N, D]
        kernels.gemm(Mat.of(ctx), true, Mat.of(dout), false, go, 1);
        toHeads(tmp1, ctxh);                                                // ctxh := dctx
        Ops.batchedGemm(ctxh, false, vh, true, dp, 1.0);                    // dp = dctx v^T
        Ops.batchedGemm(p, true, ctxh, false, vh, 1.0);                     // vh := dv = p^T dctx
        kernels.softmaxBackward(p, dp);                                     // ds = p * (dp - rowsum(p * dp))
        Ops.batchedGemm(dp, false, kh, false, ctxh, scale);                 // ctxh := dq
        Ops.batchedGemm(dp, true, qh, false, kh, scale);                    // kh := dk
        fromHeads(ctxh, qLin);                                              // qLin := dq (rotated)
        fromHeads(kh, kLin);
        fromHeads(vh, vLin);
        rope.backward(qLin);
        rope.backward(kLin);
        kernels.gemm(Mat.of(qLin), false, wq, true, Mat.of(dx), 0);
        kernels.gemm(Mat.of(kLin), false, wk, true, Mat.of(dx), 1);
        kernels.gemm(Mat.of(vLin), false, wv, true, Mat.of(dx), 1);
        kernels.gemm(Mat.of(x), true, Mat.of(qLin), false, gq, 1);
        kernels.gemm(Mat.of(x), true, Mat.of(kLin), false, gk, 1);
        kernels.gemm(Mat.of(x), true, Mat.of(vLin), false, gv, 1);
    }

    /** [N, D] = [B, T, H, hd] -> [B*H, T, hd]. */
    private void toHeads(INDArray lin, INDArray h) {
        h.reshape(batch, heads, seqLen, headSize).assign(lin.reshape(batch, seqLen, heads, headSize).permute(0, 2, 1, 3));
    }

    /** [B*H, T, hd] -> [N, D]. */
    private void fromHeads(INDArray h, INDArray lin) {
        lin.reshape(batch, seqLen, heads, headSize).permute(0, 2, 1, 3).assign(h.reshape(batch, heads, seqLen, headSize));
    }
}
