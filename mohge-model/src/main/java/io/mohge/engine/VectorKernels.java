package io.mohge.engine;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Kernels} for float32 arrays of the CPU backend, with the JDK's Vector API (jdk.incubator.vector, JDK 17).
 * The kernels with exp stream the arrays' native memory through small heap tiles (bulk NIO copies) and run the
 * SIMD math on the tiles: with the exp polynomial inlined, vector loads from a direct buffer exceed the JIT's
 * inlining budget on JDK 17 and run 2-4x slower, while loads from a {@code float[]} compile reliably. The
 * streaming kernels without exp work on the direct buffers, where staging would only add copies.
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
    private static final int L = F.length();
    private static final int TILE = 4096;

    @Override
    public void gemm(Mat a, boolean transA, Mat b, boolean transB, Mat c, double beta) {
        int m = c.rows();
        int n = c.cols();
        int k = transA ? a.rows() : a.cols();
        if ((transA ? a.cols() : a.rows()) != m || (transB ? b.rows() : b.cols()) != n
                || (transB ? b.cols() : b.rows()) != k) {
            throw new IllegalStateException("gemm shapes " + a + (transA ? "^T" : "") + " x " + b + (transB ? "^T" : "")
                    + " -> " + c);
        }
        if (m == 0 || n == 0) return;
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, 1f, pointer(a), Math.max(1, a.cols()),
                pointer(b), Math.max(1, b.cols()), (float) beta, pointer(c), c.cols());
        Reference.reachabilityFence(new Object[] {a.base(), b.base(), c.base()});
    }

    /** The native address of a matrix's first value (a fresh pointer: positions are not shared). */
    private static FloatPointer pointer(Mat m) {
        INDArray base = m.base();
        if (base.dataType() != DataType.FLOAT || base.ordering() != 'c') {
            throw new IllegalStateException("gemm needs c-order float arrays, got " + base.shapeInfoToString());
        }
        return new FloatPointer(base.data().addressPointer()).position(m.offset());   // a root array: offset 0
    }

    @Override
    public void rope(INDArray x, INDArray cos, INDArray sinS, int headSize, boolean transpose) {
        Mem mX = Mem.of(x);
        int table = (int) cos.length();                       // T * D
        int d = x.columns();
        int half = headSize / 2;
        float[] tc = new float[table], ts = new float[table];
        Mem.of(cos).buf().get(Mem.of(cos).offset(), tc);
        Mem.of(sinS).buf().get(Mem.of(sinS).offset(), ts);
        Tiles t = new Tiles(2, d);
        for (int row = 0; row < x.rows(); row++) {
            float[] in = t.load(0, mX, row * d, d), out = t.tile(1);
            int pos = (row * d) % table;                      // this row's position in the tables
            for (int h = 0; h < d; h += headSize) {
                int lo = h, hi = h + half;
                for (int j = 0; j < half; j++) {
                    float a = in[lo + j], b = in[hi + j];
                    if (!transpose) {                          // x * cos + swap(x) * S
                        out[lo + j] = a * tc[pos + lo + j] + b * ts[pos + lo + j];
                        out[hi + j] = b * tc[pos + hi + j] + a * ts[pos + hi + j];
                    } else {                                   // x * cos + swap(x * S)
                        out[lo + j] = a * tc[pos + lo + j] + b * ts[pos + hi + j];
                        out[hi + j] = b * tc[pos + hi + j] + a * ts[pos + lo + j];
                    }
                }
            }
            t.store(1, mX, row * d, d);
        }
        Reference.reachabilityFence(new Object[] {x, cos, sinS});
    }

    @Override
    public void swiGlu(INDArray a, INDArray b, INDArray s, INDArray h) {
        Mem mA = Mem.of(a);
        Mem mB = Mem.of(b);
        Mem mS = Mem.of(s);
        Mem mH = Mem.of(h);
        Tiles t = new Tiles(4, tile(a));
        forEachTile(a, (off, n) -> {
            float[] ta = t.load(0, mA, off, n), tb = t.load(1, mB, off, n), ts = t.tile(2), th = t.tile(3);
            int i = 0;
            for (; i < F.loopBound(n); i += L) {
                FloatVector va = FloatVector.fromArray(F, ta, i);
                FloatVector sig = sigmoid(va);
                sig.intoArray(ts, i);
                va.mul(sig).mul(FloatVector.fromArray(F, tb, i)).intoArray(th, i);
            }
            for (; i < n; i++) {
                float sig = sigmoid(ta[i]);
                ts[i] = sig;
                th[i] = ta[i] * sig * tb[i];
            }
            t.store(2, mS, off, n);
            t.store(3, mH, off, n);
        });
        Reference.reachabilityFence(new Object[] {a, b, s, h});
    }

    @Override
    public void swiGluBackward(INDArray dh, INDArray a, INDArray b, INDArray s, INDArray da, INDArray db) {
        Direct xdh = Direct.of(dh), xa = Direct.of(a), xb = Direct.of(b), xs = Direct.of(s), xda = Direct.of(da),
                xdb = Direct.of(db);
        int n = Math.toIntExact(a.length());
        int i = 0;
        for (; i < F.loopBound(n); i += L) {
            FloatVector vs = xs.load(i);
            FloatVector g = xa.load(i).mul(vs);                                   // silu(a)
            FloatVector vdh = xdh.load(i);
            xdb.store(vdh.mul(g), i);
            FloatVector dsilu = vs.add(g.mul(vs.neg().add(1f)));                 // s + g * (1 - s)
            xda.store(vdh.mul(xb.load(i)).mul(dsilu), i);
        }
        for (; i < n; i++) {
            float sv = xs.get(i);
            float g = xa.get(i) * sv;
            xdb.put(i, xdh.get(i) * g);
            xda.put(i, xdh.get(i) * xb.get(i) * (sv + g * (-sv + 1f)));
        }
        Reference.reachabilityFence(new Object[] {dh, a, b, s, da, db});
    }

    @Override
    public void causalSoftmax(INDArray scores) {
        Mem mScores = Mem.of(scores);
        int t = (int) scores.size(1);
        Tiles tiles = new Tiles(1, t);
        float[] row = tiles.tile(0);
        for (long r = 0; r < scores.size(0) * t; r++) {
            int len = (int) (r % t) + 1;                 // row index within its [T, T] block, + 1
            tiles.load(0, mScores, (int) (r * t), t);
            float max = max(row, len);
            float sum = expInPlace(row, len, max);
            scale(row, len, 1f / sum);
            java.util.Arrays.fill(row, len, t, 0f);
            tiles.store(0, mScores, (int) (r * t), t);
        }
        Reference.reachabilityFence(scores);
    }

    @Override
    public void softmaxBackward(INDArray p, INDArray dp) {
        Mem mP = Mem.of(p);
        Mem mDp = Mem.of(dp);
        int t = (int) p.size(1);
        Tiles tiles = new Tiles(2, t);
        for (long r = 0; r < p.size(0) * t; r++) {
            int off = (int) (r * t);
            float[] tp = tiles.load(0, mP, off, t), td = tiles.load(1, mDp, off, t);
            float dot = dot(tp, td, t);
            int i = 0;
            for (; i < F.loopBound(t); i += L) {
                FloatVector.fromArray(F, tp, i).mul(FloatVector.fromArray(F, td, i).sub(dot)).intoArray(td, i);
            }
            for (; i < t; i++) td[i] = tp[i] * (td[i] - dot);
            tiles.store(1, mDp, off, t);
        }
        Reference.reachabilityFence(new Object[] {p, dp});
    }

    @Override
    public void rmsNorm(INDArray x, INDArray g, double eps, INDArray y, INDArray r) {
        Mem mX = Mem.of(x);
        Mem mG = Mem.of(g);
        Mem mY = Mem.of(y);
        Mem mR = Mem.of(r);
        int d = x.columns();
        Tiles t = new Tiles(3, d);
        float[] tg = t.load(2, mG, 0, d);
        float[] tr = new float[x.rows()];
        for (int n = 0; n < tr.length; n++) {
            float[] tx = t.load(0, mX, n * d, d), ty = t.tile(1);
            float rr = (float) (1 / Math.sqrt(dot(tx, tx, d) / d + eps));
            tr[n] = rr;
            int i = 0;
            for (; i < F.loopBound(d); i += L) {
                FloatVector.fromArray(F, tx, i).mul(rr).mul(FloatVector.fromArray(F, tg, i)).intoArray(ty, i);
            }
            for (; i < d; i++) ty[i] = tx[i] * rr * tg[i];
            t.store(1, mY, n * d, d);
        }
        mR.buf().put(mR.offset(), tr);
        Reference.reachabilityFence(new Object[] {x, g, y, r});
    }

    @Override
    public void rmsNormBackward(INDArray dy, INDArray x, INDArray g, INDArray r, INDArray dxAcc, INDArray dgAcc) {
        Mem mDy = Mem.of(dy);
        Mem mX = Mem.of(x);
        Mem mG = Mem.of(g);
        Mem mR = Mem.of(r);
        Mem mDxAcc = Mem.of(dxAcc);
        Mem mDgAcc = Mem.of(dgAcc);
        int d = x.columns();
        int rows = x.rows();
        Tiles t = new Tiles(5, d);
        float[] tg = t.load(3, mG, 0, d);
        float[] tr = new float[rows];
        mR.buf().get(mR.offset(), tr);
        float[] dgSum = new float[d];
        for (int n = 0; n < rows; n++) {
            float[] tdy = t.load(0, mDy, n * d, d), tx = t.load(1, mX, n * d, d), tdx = t.load(2, mDxAcc, n * d, d);
            float rr = tr[n];
            float m = 0;
            for (int i = 0; i < d; i++) m += tdy[i] * tg[i] * tx[i];
            float c = rr * rr * rr * m / d;
            int i = 0;
            for (; i < F.loopBound(d); i += L) {
                FloatVector vdy = FloatVector.fromArray(F, tdy, i);
                FloatVector vx = FloatVector.fromArray(F, tx, i);
                FloatVector dxv = vdy.mul(FloatVector.fromArray(F, tg, i)).mul(rr).sub(vx.mul(c));
                FloatVector.fromArray(F, tdx, i).add(dxv).intoArray(tdx, i);
                FloatVector.fromArray(F, dgSum, i).add(vdy.mul(vx).mul(rr)).intoArray(dgSum, i);
            }
            for (; i < d; i++) {
                tdx[i] = tdx[i] + (tdy[i] * tg[i] * rr - tx[i] * c);
                dgSum[i] = dgSum[i] + tdy[i] * tx[i] * rr;
            }
            t.store(2, mDxAcc, n * d, d);
        }
        float[] tdg = t.load(4, mDgAcc, 0, d);
        for (int i = 0; i < d; i++) tdg[i] += dgSum[i];
        t.store(4, mDgAcc, 0, d);
        Reference.reachabilityFence(new Object[] {dy, x, g, r, dxAcc, dgAcc});
    }

    @Override
    public double crossEntropy(INDArray logits, int[] targets, double[] weights, INDArray dlogits) {
        Mem mLogits = Mem.of(logits);
        Mem mD = dlogits == null ? null : Mem.of(dlogits);
        int v = logits.columns();
        Tiles t = new Tiles(2, v);
        double sum = 0;
        for (int n = 0; n < targets.length; n++) {
            float[] x = t.load(0, mLogits, n * v, v);
            float max = max(x, v);
            float lse = max + (float) Math.log(expSum(x, v, max));
            if (weights[n] != 0) sum += weights[n] * (lse - x[targets[n]]);
            if (dlogits == null) continue;
            float w = (float) weights[n];
            float[] dx = t.tile(1);
            int i = 0;
            for (; i < F.loopBound(v); i += L) exp(FloatVector.fromArray(F, x, i).sub(lse)).mul(w).intoArray(dx, i);
            for (; i < v; i++) dx[i] = expf(x[i] - lse) * w;
            dx[targets[n]] -= w;
            t.store(1, mD, n * v, v);
        }
        Reference.reachabilityFence(new Object[] {logits, dlogits});
        return sum;
    }

    /** Float lanes per tile of TILE elements, tiles summed in double, all in a fixed order. */
    @Override
    public double sumOfSquares(INDArray x) {
        Direct d = Direct.of(x);
        int n = Math.toIntExact(x.length());
        double total = 0;
        for (int off = 0; off < n; off += TILE) {
            int end = Math.min(n, off + TILE);
            FloatVector acc = FloatVector.zero(F);
            int i = off;
            for (; i + L <= end; i += L) {
                FloatVector v = d.load(i);
                acc = v.fma(v, acc);
            }
            float tile = sum(acc);
            for (; i < end; i++) tile += d.get(i) * d.get(i);
            total += tile;
        }
        Reference.reachabilityFence(x);
        return total;
    }

    @Override
    public void adamW(INDArray p, INDArray g, INDArray m, INDArray v, INDArray decayMask, AdamWStep st) {
        Direct xp = Direct.of(p), xg = Direct.of(g), xm = Direct.of(m), xv = Direct.of(v), xmask = Direct.of(decayMask);
        float b1 = (float) st.beta1(), b2 = (float) st.beta2(), eps = (float) st.eps();
        float decay = (float) (st.lr() * st.weightDecay());
        float step = (float) (st.lr() / st.biasCorrection1());
        float bc2 = (float) st.biasCorrection2();
        int n = Math.toIntExact(p.length());
        int i = 0;
        for (; i < F.loopBound(n); i += L) {
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
        Reference.reachabilityFence(new Object[] {p, g, m, v, decayMask});
    }

    // Cephes expf: exp(x) = 2^n * p(r), n = round(x / ln 2), r = x - n ln 2 (ln 2 split in two for exactness).
    // Adding ROUND = 1.5 * 2^23 rounds x / ln 2 to an integer n and leaves n in the low mantissa bits of the sum,
    // so 2^n is built with an integer subtract and shift (a float-to-int vector conversion is 7x slower on JDK 17).
    private static final float EXP_HI = 88.3762626647949f;
    private static final float EXP_LO = -87.3365478515625f;
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f;
    private static final int ROUND_BITS = 0x4B400000;   // bit pattern of ROUND
    private static final float P0 = 1.9875691500E-4f, P1 = 1.3981999507E-3f, P2 = 8.3334519073E-3f,
            P3 = 4.1665795894E-2f, P4 = 1.6666665459E-1f, P5 = 5.0000001201E-1f;

    static FloatVector exp(FloatVector x) {
        x = x.max(EXP_LO).min(EXP_HI);
        FloatVector t = x.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = x.sub(n.mul(LN2_HI)).sub(n.mul(LN2_LO));
        FloatVector p = r.mul(P0).add(P1).mul(r).add(P2).mul(r).add(P3).mul(r).add(P4).mul(r).add(P5);
        p = p.mul(r.mul(r)).add(r).add(1f);
        IntVector bits = (IntVector) t.reinterpretAsInts();
        return p.mul((FloatVector) bits.sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    /** The same computation as {@link #exp(FloatVector)} for one value. */
    static float expf(float x) {
        x = Math.min(Math.max(x, EXP_LO), EXP_HI);
        float t = x * LOG2E + ROUND;
        float n = t - ROUND;
        float r = x - n * LN2_HI - n * LN2_LO;
        float p = ((((r * P0 + P1) * r + P2) * r + P3) * r + P4) * r + P5;
        p = p * (r * r) + r + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(t) - (ROUND_BITS - 127)) << 23);
    }

    /** 1 / (1 + exp(-a)). */
    private static FloatVector sigmoid(FloatVector a) {
        return FloatVector.broadcast(F, 1f).div(exp(a.neg()).add(1f));
    }

    private static float sigmoid(float a) {
        return 1f / (expf(-a) + 1f);
    }

    private static float max(float[] x, int len) {
        float m = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (len >= L) {
            FloatVector acc = FloatVector.fromArray(F, x, 0);
            for (i = L; i < F.loopBound(len); i += L) acc = acc.max(FloatVector.fromArray(F, x, i));
            m = acc.reduceLanes(VectorOperators.MAX);   // max is exact in any order
        }
        for (; i < len; i++) m = Math.max(m, x[i]);
        return m;
    }

    /** x := exp(x - max) over [0, len); returns the sum. */
    private static float expInPlace(float[] x, int len, float max) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += L) {
            FloatVector e = exp(FloatVector.fromArray(F, x, i).sub(max));
            e.intoArray(x, i);
            acc = acc.add(e);
        }
        float sum = sum(acc);
        for (; i < len; i++) {
            x[i] = expf(x[i] - max);
            sum += x[i];
        }
        return sum;
    }

    private static float expSum(float[] x, int len, float max) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += L) acc = acc.add(exp(FloatVector.fromArray(F, x, i).sub(max)));
        float sum = sum(acc);
        for (; i < len; i++) sum += expf(x[i] - max);
        return sum;
    }

    private static float dot(float[] a, float[] b, int len) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i < F.loopBound(len); i += L) acc = FloatVector.fromArray(F, a, i).fma(FloatVector.fromArray(F, b, i), acc);
        float sum = sum(acc);
        for (; i < len; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void scale(float[] x, int len, float s) {
        int i = 0;
        for (; i < F.loopBound(len); i += L) FloatVector.fromArray(F, x, i).mul(s).intoArray(x, i);
        for (; i < len; i++) x[i] *= s;
    }

    /** Sum of the lanes in lane order. */
    private static float sum(FloatVector v) {
        float[] lanes = v.toArray();
        float s = 0;
        for (float l : lanes) s += l;
        return s;
    }

    /** Tile size for streaming {@code a}: TILE, or less for a small array. */
    private static int tile(INDArray a) {
        return (int) Math.min(TILE, a.length());
    }

    /** Calls {@code body(offset, length)} for consecutive tiles of up to TILE elements of {@code a}. */
    private static void forEachTile(INDArray a, TileBody body) {
        int n = Math.toIntExact(a.length());
        for (int off = 0; off < n; off += TILE) body.run(off, Math.min(TILE, n - off));
    }

    @FunctionalInterface
    private interface TileBody {
        void run(int offset, int length);
    }

    /**
     * Direct SIMD access to an array's native memory, for the streaming kernels without exp (their vector code is
     * small enough to compile well on direct buffers, and staging would only add copies).
     */
    private record Direct(ByteBuffer buf, int offset) {
        static Direct of(INDArray a) {
            Mem m = Mem.of(a);
            return new Direct(a.data().asNio().order(ByteOrder.nativeOrder()), m.offset());
        }

        FloatVector load(int i) {
            return FloatVector.fromByteBuffer(F, buf, (offset + i) * 4, ByteOrder.nativeOrder());
        }

        void store(FloatVector v, int i) {
            v.intoByteBuffer(buf, (offset + i) * 4, ByteOrder.nativeOrder());
        }

        float get(int i) {
            return buf.getFloat((offset + i) * 4);
        }

        void put(int i, float v) {
            buf.putFloat((offset + i) * 4, v);
        }
    }

    /** An array's native memory as an NIO view plus its element offset, bound once per kernel call. */
    private record Mem(FloatBuffer buf, int offset) {
        static Mem of(INDArray a) {
            if (a.dataType() != DataType.FLOAT || a.ordering() != 'c') {
                throw new IllegalStateException("vector kernels need c-order float arrays, got " + a.shapeInfoToString());
            }
            return new Mem(a.data().asNioFloat(), Math.toIntExact(a.offset()));
        }
    }

    /** Heap tiles that arrays' native memory is copied into and out of. */
    private static final class Tiles {
        private final float[][] tiles;

        Tiles(int count, int size) {
            tiles = new float[count][size];
        }

        float[] tile(int i) {
            return tiles[i];
        }

        /** Copies {@code len} elements of {@code m} from flat index {@code off} into tile i. */
        float[] load(int i, Mem m, int off, int len) {
            m.buf().get(m.offset() + off, tiles[i], 0, len);
            return tiles[i];
        }

        /** Copies the first {@code len} elements of tile i into {@code m} at flat index {@code off}. */
        void store(int i, Mem m, int off, int len) {
            m.buf().put(m.offset() + off, tiles[i], 0, len);
        }
    }
}
