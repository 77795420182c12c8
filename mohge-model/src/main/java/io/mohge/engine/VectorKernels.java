package io.mohge.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Kernels} for float32 arrays of the CPU backend: one SIMD pass per kernel over the arrays' native
 * memory (jdk.incubator.vector, JDK 17). Each loop runs whole vectors, then a scalar tail.
 *
 * <p>Results are bit-for-bit reproducible, which exact resume needs: a resumed run's first steps run
 * interpreted while the uninterrupted run's are JIT-compiled, and the Vector API's own EXP and reduceLanes(ADD)
 * may round differently in the two (a vectorised intrinsic versus a scalar fallback, and an unspecified
 * summation order). So exp is computed here from IEEE-exact operations (the Cephes expf polynomial, within 2 ulp),
 * lanes are summed in a fixed order, and the scalar tails use the same formulas as the lanes. Only
 * {@link Kernels#forType} creates this class, after checking that the module is loaded (it cannot load without).
 */
final class VectorKernels implements Kernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    @Override
    public void swiGlu(INDArray a, INDArray b, INDArray s, INDArray h) {
        Arr xa = arr(a), xb = arr(b), xs = arr(s), xh = arr(h);
        int n = xa.length;
        int i = 0;
        for (; i < F.loopBound(n); i += F.length()) {
            FloatVector va = xa.load(i);
            FloatVector sig = sigmoid(va);
            xs.store(sig, i);
            xh.store(va.mul(sig).mul(xb.load(i)), i);
        }
        for (; i < n; i++) {
            float av = xa.get(i);
            float sig = 1f / (expf(-av) + 1f);
            xs.put(i, sig);
            xh.put(i, av * sig * xb.get(i));
        }
    }

    @Override
    public void swiGluBackward(INDArray dh, INDArray a, INDArray b, INDArray s, INDArray da, INDArray db) {
        Arr xdh = arr(dh), xa = arr(a), xb = arr(b), xs = arr(s), xda = arr(da), xdb = arr(db);
        int n = xa.length;
        int i = 0;
        for (; i < F.loopBound(n); i += F.length()) {
            FloatVector vs = xs.load(i);
            FloatVector g = xa.load(i).mul(vs);                       // silu(a)
            FloatVector vdh = xdh.load(i);
            xdb.store(vdh.mul(g), i);
            FloatVector dsilu = vs.add(g.mul(vs.neg().add(1f)));     // s + g * (1 - s)
            xda.store(vdh.mul(xb.load(i)).mul(dsilu), i);
        }
        for (; i < n; i++) {
            float sv = xs.get(i);
            float g = xa.get(i) * sv;
            xdb.put(i, xdh.get(i) * g);
            xda.put(i, xdh.get(i) * xb.get(i) * (sv + g * (1 - sv)));
        }
    }

    @Override
    public void causalSoftmax(INDArray scores) {
        Arr x = arr(scores);
        int t = (int) scores.size(1);
        long blocks = scores.size(0);
        for (long blk = 0; blk < blocks; blk++) {
            for (int row = 0; row < t; row++) {
                int base = (int) ((blk * t + row) * t);
                int len = row + 1;
                float max = max(x, base, len);
                float sum = expInPlace(x, base, len, max);
                scale(x, base, len, 1f / sum);
                fill(x, base + len, t - len, 0f);
            }
        }
    }

    @Override
    public void softmaxBackward(INDArray p, INDArray dp) {
        Arr xp = arr(p), xd = arr(dp);
        int t = (int) p.size(1);
        long blocks = p.size(0);
        for (long blk = 0; blk < blocks; blk++) {
            for (int row = 0; row < t; row++) {
                int base = (int) ((blk * t + row) * t);
                float dot = dot(xp, base, xd, base, t);
                int i = 0;
                for (; i < F.loopBound(t); i += F.length()) {
                    xd.store(xp.load(base + i).mul(xd.load(base + i).sub(dot)), base + i);
                }
                for (; i < t; i++) xd.put(base + i, xp.get(base + i) * (xd.get(base + i) - dot));
            }
        }
    }

    @Override
    public void rmsNorm(INDArray x, INDArray g, double eps, INDArray y, INDArray r) {
        Arr xx = arr(x), xg = arr(g), xy = arr(y), xr = arr(r);
        int d = (int) x.columns();
        int rows = (int) x.rows();
        for (int n = 0; n < rows; n++) {
            int base = n * d;
            float rr = (float) (1 / Math.sqrt(dot(xx, base, xx, base, d) / d + eps));
            xr.put(n, rr);
            int i = 0;
            for (; i < F.loopBound(d); i += F.length()) xy.store(xx.load(base + i).mul(rr).mul(xg.load(i)), base + i);
            for (; i < d; i++) xy.put(base + i, xx.get(base + i) * rr * xg.get(i));
        }
    }

    @Override
    public void rmsNormBackward(INDArray dy, INDArray x, INDArray g, INDArray r, INDArray dxAcc, INDArray dgAcc) {
        Arr xdy = arr(dy), xx = arr(x), xg = arr(g), xr = arr(r), xdx = arr(dxAcc), xdg = arr(dgAcc);
        int d = (int) x.columns();
        int rows = (int) x.rows();
        float[] dgSum = new float[d];
        for (int n = 0; n < rows; n++) {
            int base = n * d;
            float rr = xr.get(n);
            float m = 0;
            for (int i = 0; i < d; i++) m += xdy.get(base + i) * xg.get(i) * xx.get(base + i);
            float c = rr * rr * rr * m / d;
            int i = 0;
            for (; i < F.loopBound(d); i += F.length()) {
                FloatVector vdy = xdy.load(base + i);
                FloatVector vx = xx.load(base + i);
                FloatVector dxv = vdy.mul(xg.load(i)).mul(rr).sub(vx.mul(c));
                xdx.store(xdx.load(base + i).add(dxv), base + i);
                FloatVector.fromArray(F, dgSum, i).add(vdy.mul(vx).mul(rr)).intoArray(dgSum, i);
            }
            for (; i < d; i++) {
                float dyv = xdy.get(base + i);
                float xv = xx.get(base + i);
                xdx.put(base + i, xdx.get(base + i) + dyv * xg.get(i) * rr - xv * c);
                dgSum[i] += dyv * xv * rr;
            }
        }
        for (int i = 0; i < d; i++) xdg.put(i, xdg.get(i) + dgSum[i]);
    }

    @Override
    public double crossEntropy(INDArray logits, int[] targets, double[] weights, INDArray dlogits) {
        Arr x = arr(logits);
        Arr dx = dlogits == null ? null : arr(dlogits);
        int v = (int) logits.columns();
        double sum = 0;
        for (int n = 0; n < targets.length; n++) {
            int base = n * v;
            float max = max(x, base, v);
            float lse = max + (float) Math.log(expSum(x, base, v, max));
            if (weights[n] != 0) sum += weights[n] * (lse - x.get(base + targets[n]));
            if (dx == null) continue;
            float w = (float) weights[n];
            int i = 0;
            for (; i < F.loopBound(v); i += F.length()) {
                dx.store(exp(x.load(base + i).sub(lse)).mul(w), base + i);
            }
            for (; i < v; i++) dx.put(base + i, expf(x.get(base + i) - lse) * w);
            dx.put(base + targets[n], dx.get(base + targets[n]) - w);
        }
        return sum;
    }

    @Override
    public void adamW(INDArray p, INDArray g, INDArray m, INDArray v, INDArray decayMask, AdamWStep st) {
        Arr xp = arr(p), xg = arr(g), xm = arr(m), xv = arr(v), xmask = arr(decayMask);
        float b1 = (float) st.beta1(), b2 = (float) st.beta2(), eps = (float) st.eps();
        float decay = (float) (st.lr() * st.weightDecay());
        float step = (float) (st.lr() / st.biasCorrection1());
        float bc2 = (float) st.biasCorrection2();
        int n = xp.length;
        int i = 0;
        for (; i < F.loopBound(n); i += F.length()) {
            FloatVector vp = xp.load(i);
            FloatVector vg = xg.load(i);
            vp = vp.sub(vp.mul(xmask.load(i)).mul(decay));
            FloatVector vm = xm.load(i).mul(b1).add(vg.mul(1 - b1));
            FloatVector vv = xv.load(i).mul(b2).add(vg.mul(vg).mul(1 - b2));
            xm.store(vm, i);
            xv.store(vv, i);
            FloatVector denom = vv.div(bc2).lanewise(VectorOperators.SQRT).add(eps);
            xp.store(vp.sub(vm.div(denom).mul(step)), i);
        }
        for (; i < n; i++) {
            float pv = xp.get(i) - xp.get(i) * xmask.get(i) * decay;
            float gv = xg.get(i);
            float mv = xm.get(i) * b1 + gv * (1 - b1);
            float vv = xv.get(i) * b2 + gv * gv * (1 - b2);
            xm.put(i, mv);
            xv.put(i, vv);
            xp.put(i, pv - mv / ((float) Math.sqrt(vv / bc2) + eps) * step);
        }
    }

    // Cephes expf: exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two for exactness)
    private static final float EXP_HI = 88.3762626647949f;
    private static final float EXP_LO = -87.3365478515625f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;  // 1.5 * 2^23: (x + ROUND) - ROUND rounds x to an integer
    private static final float[] P = {1.9875691500E-4f, 1.3981999507E-3f, 8.3334519073E-3f, 4.1665795894E-2f,
            1.6666665459E-1f, 5.0000001201E-1f};

    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector n = x.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = FloatVector.broadcast(F, P[0]);
        for (int i = 1; i < P.length; i++) p = p.mul(r).add(P[i]);
        p = p.mul(r.mul(r)).add(r).add(1f);
        FloatVector scale = (FloatVector) n.convert(VectorOperators.F2I, 0).lanewise(VectorOperators.ADD, 127)
                .lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    /** The same computation as {@link #exp(FloatVector)} for one value. */
    static float expf(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float n = x * LOG2E + ROUND - ROUND;
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = P[0];
        for (int i = 1; i < P.length; i++) p = p * r + P[i];
        p = p * (r * r) + r + 1f;
        return p * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    /** Sum of the lanes in lane order. */
    private static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0;
        for (float l : lanes) s += l;
        return s;
    }

    /** 1 / (1 + exp(-a)). */
    private static FloatVector sigmoid(FloatVector a) {
        return FloatVector.broadcast(F, 1f).div(exp(a.neg()).add(1f));
    }

    private static float max(Arr x, int base, int len) {
        float m = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (len >= F.length()) {
            FloatVector acc = x.load(base);
            for (i = F.length(); i < F.loopBound(len); i += F.length()) acc = acc.max(x.load(base + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < len; i++) m = Math.max(m, x.get(base + i));
        return m;
    }

    /** x := exp(x - max) over [base, base+len); returns the sum. */
    private static float expInPlace(Arr x, int base, int len, float max) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) {
            FloatVector e = exp(x.load(base + i).sub(max));
            x.store(e, base + i);
            acc = acc.add(e);
        }
        float sum = sum(acc);
        for (; i < len; i++) {
            float e = expf(x.get(base + i) - max);
            x.put(base + i, e);
            sum += e;
        }
        return sum;
    }

    private static float expSum(Arr x, int base, int len, float max) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) acc = acc.add(exp(x.load(base + i).sub(max)));
        float sum = sum(acc);
        for (; i < len; i++) sum += expf(x.get(base + i) - max);
        return sum;
    }

    private static float dot(Arr a, int ao, Arr b, int bo, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) acc = a.load(ao + i).fma(b.load(bo + i), acc);
        float sum = sum(acc);
        for (; i < len; i++) sum += a.get(ao + i) * b.get(bo + i);
        return sum;
    }

    private static void scale(Arr x, int base, int len, float s) {
        int i = 0;
        for (; i < F.loopBound(len); i += F.length()) x.store(x.load(base + i).mul(s), base + i);
        for (; i < len; i++) x.put(base + i, x.get(base + i) * s);
    }

    private static void fill(Arr x, int base, int len, float value) {
        for (int i = 0; i < len; i++) x.put(base + i, value);
    }

    /** A float array's native memory as a byte buffer plus its element offset. */
    private record Arr(ByteBuffer buf, int offset, int length) {
        FloatVector load(int i) {
            return FloatVector.fromByteBuffer(F, buf, (offset + i) * 4, ORDER);
        }

        void store(FloatVector v, int i) {
            v.intoByteBuffer(buf, (offset + i) * 4, ORDER);
        }

        float get(int i) {
            return buf.getFloat((offset + i) * 4);
        }

        void put(int i, float v) {
            buf.putFloat((offset + i) * 4, v);
        }
    }

    private static Arr arr(INDArray a) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c') {
            throw new IllegalStateException("vector kernels need c-order float arrays, got " + a.shapeInfoToString());
        }
        return new Arr(a.data().asNio().order(ORDER), Math.toIntExact(a.offset()), Math.toIntExact(a.length()));
    }
}
