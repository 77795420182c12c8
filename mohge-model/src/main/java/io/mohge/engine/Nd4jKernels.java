package io.mohge.engine;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** {@link Kernels} as compositions of ND4J ops: any backend, any floating-point dtype. */
final class Nd4jKernels implements Kernels {

    private final Map<String, INDArray> scratch = new HashMap<>();

    @Override
    public void gemm(Mat a, boolean transA, Mat b, boolean transB, Mat c, double beta) {
        if (c.rows() == 0 || c.cols() == 0) return;
        if ((transA ? a.rows() : a.cols()) == 0) {          // an empty inner dimension: c = beta * c
            c.view().muli(beta);
            return;
        }
        Nd4j.gemm(a.view(), b.view(), c.view(), transA, transB, 1.0, beta);
    }

    @Override
    public void rope(INDArray x, INDArray cos, INDArray sinS, int headSize, boolean transpose) {
        INDArray t1 = scratch("rope1", x, x.shape());
        INDArray t2 = scratch("rope2", x, x.shape());
        long rowLength = cos.length();
        INDArray xr = x.reshape(x.length() / rowLength, rowLength);       // [B, T*D]
        if (!transpose) {
            swapHalves(x, t1, headSize);
            Ops.mulBroadcast(t1.reshape(xr.shape()), sinS, t1.reshape(xr.shape()), 1);
            Ops.mulBroadcast(xr, cos, xr, 1);
            x.addi(t1);
        } else {
            Ops.mulBroadcast(xr, sinS, t1.reshape(xr.shape()), 1);
            Ops.mulBroadcast(xr, cos, xr, 1);
            swapHalves(t1, t2, headSize);
            x.addi(t2);
        }
    }

    /** dst = src with the two halves of every head exchanged. */
    private static void swapHalves(INDArray src, INDArray dst, int headSize) {
        int half = headSize / 2;
        long pieces = src.length() / headSize;
        INDArray s = src.reshape(pieces, 2, half);
        INDArray d = dst.reshape(pieces, 2, half);
        d.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(s.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all()));
        d.get(NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.all())
                .assign(s.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()));
    }

    @Override
    public void swiGlu(INDArray a, INDArray b, INDArray s, INDArray h) {
        Ops.sigmoid(a, s);
        a.mul(s, h);
        h.muli(b);
    }

    @Override
    public void swiGluBackward(INDArray dh, INDArray a, INDArray b, INDArray s, INDArray da, INDArray db) {
        a.mul(s, db);                        // g = silu(a) = a * s
        s.rsub(1.0, da);                     // 1 - s
        da.muli(db).addi(s);                 // silu'(a) = s + g * (1 - s)
        da.muli(dh).muli(b);                 // da = dh * b * silu'(a)
        db.muli(dh);                         // db = dh * g
    }

    @Override
    public void causalSoftmax(INDArray scores) {
        Ops.addBroadcast(scores, causalMask(scores), scores, 1, 2);
        Ops.softmax(scores, scores);
    }

    /** [T, T] with -1e9 above the diagonal: exp of it underflows to exactly 0. */
    private INDArray causalMask(INDArray scores) {
        long t = scores.size(1);
        return scratch.computeIfAbsent("mask" + t + scores.dataType(), k -> {
            double[][] m = new double[(int) t][(int) t];
            for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) m[i][j] = -1e9;
            return Nd4j.createFromArray(m).castTo(scores.dataType());
        });
    }

    /** Uses {@code p} as scratch: p is overwritten. */
    @Override
    public void softmaxBackward(INDArray p, INDArray dp) {
        INDArray rowSum = scratch("rowSum", p, p.size(0), p.size(1));
        dp.muli(p);                          // p * dp
        Ops.sum(dp, rowSum, 2);
        Ops.mulBroadcast(p, rowSum, p, 0, 1);
        dp.subi(p);                          // p * dp - p * rowsum
    }

    @Override
    public void rmsNorm(INDArray x, INDArray g, double eps, INDArray y, INDArray r) {
        x.mul(x, y);
        Ops.mean(y, r, 1);
        r.addi(eps);
        Ops.rsqrt(r, r);
        Ops.mulBroadcast(x, r, y, 0);
        Ops.mulBroadcast(y, g, y, 1);
    }

    @Override
    public void rmsNormBackward(INDArray dy, INDArray x, INDArray g, INDArray r, INDArray dxAcc, INDArray dgAcc) {
        INDArray t1 = scratch("t1", x, x.shape());
        INDArray t2 = scratch("t2", x, x.shape());
        INDArray c = scratch("c", x, x.rows());
        INDArray gSum = scratch("gSum", x, x.columns());
        Ops.mulBroadcast(dy, g, t1, 1);      // gy = dy * g
        t1.mul(x, t2);
        Ops.mean(t2, c, 1);                  // mean(gy * x)
        c.muli(r).muli(r).muli(r);           // r^3 * mean
        Ops.mulBroadcast(t1, r, t1, 0);      // r * gy
        Ops.mulBroadcast(x, c, t2, 0);
        t1.subi(t2);
        dxAcc.addi(t1);
        Ops.mulBroadcast(x, r, t2, 0);       // x * r
        t2.muli(dy);
        Ops.sum(t2, gSum, 0);
        dgAcc.addi(gSum);
    }

    @Override
    public double crossEntropy(INDArray logits, int[] targets, double[] weights, INDArray dlogits) {
        INDArray logp = scratch("logp", logits, logits.shape());
        Ops.logSoftmax(logits, logp);
        long vocab = logits.columns();
        double sum = 0;
        for (int i = 0; i < targets.length; i++) {
            if (weights[i] != 0) sum -= weights[i] * Rows.get(logp, i * vocab + targets[i]);
        }
        if (dlogits != null) {
            Ops.exp(logp, dlogits);
            for (int i = 0; i < targets.length; i++) Rows.add(dlogits, i * vocab + targets[i], -1.0);
            INDArray w = scratch("weights", logits, logits.rows());
            Rows.write(weights, w);
            Ops.mulBroadcast(dlogits, w, dlogits, 0);
        }
        return sum;
    }

    @Override
    public double sumOfSquares(INDArray x) {
        double norm = x.norm2Number().doubleValue();
        return norm * norm;
    }

    @Override
    public void adamW(INDArray p, INDArray g, INDArray m, INDArray v, INDArray decayMask, AdamWStep st) {
        INDArray t = scratch("adam", p, p.shape());
        if (st.weightDecay() > 0) {
            t.assign(p).muli(decayMask).muli(st.lr() * st.weightDecay());
            p.subi(t);
        }
        t.assign(g).muli(1 - st.beta1());
        m.muli(st.beta1()).addi(t);
        t.assign(g).muli(g).muli(1 - st.beta2());
        v.muli(st.beta2()).addi(t);
        t.assign(v).divi(st.biasCorrection2());
        org.nd4j.linalg.ops.transforms.Transforms.sqrt(t, false).addi(st.eps());
        m.div(t, t);                                   // m / denom
        t.muli(st.lr() / st.biasCorrection1());
        p.subi(t);
    }

    /** A scratch array of the given shape and {@code like}'s dtype, reused while the shape stays the same. */
    private INDArray scratch(String name, INDArray like, long... shape) {
        String key = name + like.dataType();
        INDArray s = scratch.get(key);
        if (s == null || !java.util.Arrays.equals(s.shape(), shape)) {
            s = Nd4j.create(like.dataType(), shape);
            scratch.put(key, s);
        }
        return s;
    }
}
