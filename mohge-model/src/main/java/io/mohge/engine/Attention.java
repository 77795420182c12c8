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
    private final String wq;
    private final String wk;
    private final String wv;
    private final String wo;
    private final Rope rope;
    private final int seqLen;
    private final int heads;
    private final int headSize;
    private final double scale;
    private int batch;
    private INDArray x;                           // [N, D] input of the last forward
    private INDArray qLin, kLin, vLin, ctx;       // [N, D]
    private INDArray tmp1, tmp2;                  // [N, D] scratch
    private INDArray qh, kh, vh, ctxh;            // [B*H, T, hd]
    private INDArray p, dp;                       // [B*H, T, T]

    Attention(ParamStore params, Kernels kernels, String prefix, int seqLen, int heads, int headSize, double ropeTheta) {
        this.params = params;
        this.kernels = kernels;
        this.wq = prefix + ".wq.weight";
        this.wk = prefix + ".wk.weight";
        this.wv = prefix + ".wv.weight";
        this.wo = prefix + ".wo.weight";
        this.seqLen = seqLen;
        this.heads = heads;
        this.headSize = headSize;
        this.scale = 1.0 / Math.sqrt(headSize);
        this.rope = new Rope(seqLen, heads, headSize, ropeTheta, params.dtype());
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
        tmp2 = Ops.zeros(dt, n, d);
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
        Ops.gemm(x, false, params.param(wq), false, qLin, 0);
        Ops.gemm(x, false, params.param(wk), false, kLin, 0);
        Ops.gemm(x, false, params.param(wv), false, vLin, 0);
        rope.forward(qLin, tmp1);
        rope.forward(kLin, tmp1);
        toHeads(qLin, qh);
        toHeads(kLin, kh);
        toHeads(vLin, vh);
        Ops.batchedGemm(qh, false, kh, true, p, scale);      // scores
        kernels.causalSoftmax(p);
        Ops.batchedGemm(p, false, vh, false, ctxh, 1.0);
        fromHeads(ctxh, ctx);
        Ops.gemm(ctx, false, params.param(wo), false, out, 0);
    }

    /** dx = d(out)/d(x) applied to dout (dx is overwritten); weight gradients are accumulated. */
    void backward(INDArray dout, INDArray dx) {
        Ops.gemm(dout, false, params.param(wo), true, tmp1, 0);            // dctx [N, D]
        Ops.gemm(ctx, true, dout, false, params.grad(wo), 1);
        toHeads(tmp1, ctxh);                                                // ctxh := dctx
        Ops.batchedGemm(ctxh, false, vh, true, dp, 1.0);                    // dp = dctx v^T
        Ops.batchedGemm(p, true, ctxh, false, vh, 1.0);                     // vh := dv = p^T dctx
        kernels.softmaxBackward(p, dp);                                     // ds = p * (dp - rowsum(p * dp))
        Ops.batchedGemm(dp, false, kh, false, ctxh, scale);                 // ctxh := dq
        Ops.batchedGemm(dp, true, qh, false, kh, scale);                    // kh := dk
        fromHeads(ctxh, qLin);                                              // qLin := dq (rotated)
        fromHeads(kh, kLin);
        fromHeads(vh, vLin);
        rope.backward(qLin, tmp1, tmp2);
        rope.backward(kLin, tmp1, tmp2);
        Ops.gemm(qLin, false, params.param(wq), true, dx, 0);
        Ops.gemm(kLin, false, params.param(wk), true, dx, 1);
        Ops.gemm(vLin, false, params.param(wv), true, dx, 1);
        Ops.gemm(x, true, qLin, false, params.grad(wq), 1);
        Ops.gemm(x, true, kLin, false, params.grad(wk), 1);
        Ops.gemm(x, true, vLin, false, params.grad(wv), 1);
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
