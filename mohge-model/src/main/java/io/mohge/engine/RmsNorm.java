package io.mohge.engine;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * RMSNorm (Zhang and Sennrich 2019) over rows of [N, D]:
 * <pre>
 *   r  = 1 / sqrt(mean_j x_j^2 + eps)          [N]
 *   y  = x * r * g                             [N, D]
 *   backward, with gy = dy * g:
 *   dx = r * gy - x * r^3 * mean_j(gy_j x_j)
 *   dg = sum_n dy * x * r
 * </pre>
 */
final class RmsNorm {

    private final ParamStore params;
    private final String name;
    private final double eps;
    private INDArray x;      // [N, D] input of the last forward (the caller's buffer)
    private INDArray y;      // [N, D]
    private INDArray r;      // [N]
    private INDArray c;      // [N] scratch
    private INDArray t1;     // [N, D] scratch
    private INDArray t2;     // [N, D] scratch
    private INDArray gSum;   // [D] scratch

    RmsNorm(ParamStore params, String name, double eps) {
        this.params = params;
        this.name = name;
        this.eps = eps;
    }

    void allocate(int n, int d) {
        y = Ops.zeros(params.dtype(), n, d);
        r = Ops.zeros(params.dtype(), n);
        c = Ops.zeros(params.dtype(), n);
        t1 = Ops.zeros(params.dtype(), n, d);
        t2 = Ops.zeros(params.dtype(), n, d);
        gSum = Ops.zeros(params.dtype(), d);
    }

    /** @return y [N, D] (owned by this layer, valid until the next forward) */
    INDArray forward(INDArray input) {
        x = input;
        INDArray g = params.param(name);
        x.mul(x, t1);
        Ops.mean(t1, r, 1);                    // mean square
        r.addi(eps);
        Ops.rsqrt(r, r);                       // r = 1 / sqrt(ms + eps)
        Ops.mulBroadcast(x, r, y, 0);          // x * r
        Ops.mulBroadcast(y, g, y, 1);          // * g
        return y;
    }

    /** Adds this norm's input gradient to {@code dxAcc} and its gain gradient to the gradient buffer. */
    void backward(INDArray dy, INDArray dxAcc) {
        INDArray g = params.param(name);
        Ops.mulBroadcast(dy, g, t1, 1);        // gy = dy * g
        t1.mul(x, t2);
        Ops.mean(t2, c, 1);                    // m = mean(gy * x)
        c.muli(r).muli(r).muli(r);             // c = r^3 * m
        Ops.mulBroadcast(t1, r, t1, 0);        // r * gy
        Ops.mulBroadcast(x, c, t2, 0);         // x * c
        t1.subi(t2);
        dxAcc.addi(t1);
        Ops.mulBroadcast(x, r, t2, 0);         // x * r
        t2.muli(dy);
        Ops.sum(t2, gSum, 0);
        params.grad(name).addi(gSum);
    }
}
